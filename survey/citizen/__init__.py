"""The citizen survey: form, thanks, used or expired links, office posters."""
