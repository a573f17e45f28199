"""Paper survey sheets: the printable A4 sheets and the data-entry page for officials and clerks."""
