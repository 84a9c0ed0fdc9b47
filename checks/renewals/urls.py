from django.urls import path

from checks.renewals import views

urlpatterns = [
    path("renewals/", views.renewal_calendar, name="renewal_calendar"),
    path("renewals/feeds/new/", views.feed_new, name="renewal_feed_new"),
    path("renewals/feeds/<str:feed_code>/revoke/", views.feed_revoke, name="renewal_feed_revoke"),
    path("calendar/<str:token>.ics", views.feed_ics, name="renewal_feed_ics"),
]
