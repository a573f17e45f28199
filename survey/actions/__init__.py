"""Officials' pages for actions on complaint themes ("Bạn nói – chúng tôi làm"): list, record, change, effect."""
