from django.urls import path

from clients.notifications import views

urlpatterns = [
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
    path("sprints/<str:sprint_code>/messages/read/", views.inbox_read, name="inbox_read"),
    path("sprints/<str:sprint_code>/reply/", views.sprint_reply, name="sprint_reply"),
    path("portal/<str:sprint_code>/seen/", views.portal_seen, name="portal_seen"),
]
