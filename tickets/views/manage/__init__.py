"""The manager area (/manage/): the board and the activity feed, approvals, a tech's page."""
