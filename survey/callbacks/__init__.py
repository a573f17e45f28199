"""The callbacks blueprint: an office's queue of citizens who asked to be contacted back."""
