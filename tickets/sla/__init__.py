"""Service levels: the two clocks every case carries (first response due, resolution due) in
business time on its department's calendar, the marks they give (at risk, overdue), and the
sweeps that act on them (escalation, pending reminders and auto-close, recomputing after a
change of calendar or limit).

policies.py    what a department's clocks count (calendar, limits), cached per department
clocks.py      the clock arithmetic on a ticket: start, bring up to now, derive due times
marks.py       what the lists and the ticket page show: overdue, due soon, paused, time left
wording.py     the words of the escalation and warning lines
escalation.py  the sweep that mails managers and owners when a clock passes (or is at risk);
               escalation_mail.py renders those mails
pending.py     the sweep that reminds a customer we wait for, then closes the case
recompute.py   the background recompute of open cases when a policy changes
"""
