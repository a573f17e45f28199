"""Tools for the SMS channel that run beside the application: the local gateway emulator."""
