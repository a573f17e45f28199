"""The catalog: procedures, offices, questionnaire versions, and the CSV files that import them."""
