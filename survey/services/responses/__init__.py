"""Citizens' answers: survey links, storing a response exactly once, rollup counts, erasure and retention."""
