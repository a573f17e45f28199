"""Actions on complaint themes ("Bạn nói – chúng tôi làm"): recording them, their measured effect, publication."""
