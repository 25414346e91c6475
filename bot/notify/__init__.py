"""Notices: ticket progress to citizens, deadline warnings to departments, the dispatcher's daily digest.

One durable outbox (`notify_outbox`): a row is written in the same transaction as what it reports (a status
change, a warning), so nothing is lost across a restart; a worker in the backend delivers it through a provider
(SMS, WeChat, or the citizen's next visit to the web chat) with retries and backoff; one idempotency key per
ticket, event and recipient, so nothing is sent twice by us.
"""
