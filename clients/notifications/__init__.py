"""Notifications between consultant and founders: events become one row per recipient and
channel (``models.Notification``), delivered by Huey with the monitor alerts' retry rules.
Other apps call ``services.notify(event=..., sprint=..., ...)``; chat delivery is injected
by checks (``channels.register_chat_sender``) so this package never touches the network."""
