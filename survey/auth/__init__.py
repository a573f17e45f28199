"""Officials' sign-in: who the current user is, and the login / logout pages."""
