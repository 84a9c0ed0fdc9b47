# Rollups are derived data (rebuilt from raw results by the hourly task), so the table is
# recreated with (monitor, hour) as its primary key: Django cannot alter a table's primary
# key into a composite one in place.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="Rollup"),
        migrations.CreateModel(
            name="Rollup",
            fields=[
                ("pk", models.CompositePrimaryKey("monitor", "hour", blank=True, editable=False, primary_key=True, serialize=False)),
                ("monitor", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="rollups", to="monitoring.monitor")),
                ("hour", models.PositiveIntegerField()),
                ("total", models.PositiveSmallIntegerField()),
                ("failures", models.PositiveSmallIntegerField()),
                ("histogram", models.CharField(blank=True, max_length=400)),
            ],
        ),
    ]
