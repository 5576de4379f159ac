"""Taking part from the chat: sign-ups with waitlists, check-in codes, the attendance ledger, calendars, numbers.

Modules: items (which items take sign-ups and whether they are open), core (join, cancel, promotion),
messages (what residents read), checkin (codes, QR, marking attendance), ledger (tallies and per-capita use),
calendars (iCal feeds), settings (the console form's sign-up fields), pushes (promotion and reminder Deliveries).
"""
