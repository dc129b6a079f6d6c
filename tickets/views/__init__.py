"""The ticket views: the help centre, the customer area, the desk, notifications, and the
manager area (`manage/`)."""
