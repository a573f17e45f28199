"""Public results: satisfaction per office and procedure for anyone, without signing in (NĐ 61/2018)."""
