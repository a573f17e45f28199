"""Research files: anonymised microdata (plan, options, columns, writers, SPSS/Stata labels, codebook) and aggregate
tables with small-cell and complementary suppression."""
