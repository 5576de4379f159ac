"""Answering residents' questions: the index and its terms, ranking, answers and the cards that show them."""
