"""Officials' accounts, passwords, API keys and who may see which offices."""
