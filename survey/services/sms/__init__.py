"""The SMS channel: invitations sent through a gateway, replies read into responses, and what is kept of a number.

What is kept of a phone number, and when it goes:
- in clear, only in the outbox row of a message still to send (`sms_outbox.to_phone`); cleared the moment the
  gateway takes the message, or when it is given up (after the last retry, or when the reply window closes);
- as a keyed hash (HMAC-SHA256 under a key derived from SECRET_KEY) in `sms_invitations.phone_hash`, so a reply
  can be matched to its invitation; cleared by `purge` once the reply window (SURVEY_SMS_REPLY_HOURS, default 72)
  has closed. A number a citizen sends with the call-back keyword is copied, with consent, into
  `callback_contacts` like any call-back contact, and deleted with it.
"""
