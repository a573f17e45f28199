"""Public results (NĐ 61/2018): figures anyone may read without signing in, small groups suppressed, no comments."""
