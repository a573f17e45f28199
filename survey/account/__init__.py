"""An official's own settings beyond the password: which alerts reach them by e-mail."""
