"""Dutch and English text policy, written once: what knowledge/ and bot/ both need to read the words
of questions and documents. Imports nothing of ours.

- words.py        the word lists (filler, function words, question words, acknowledgements, ...)
- tokens.py       text -> words: Unicode forms, case, punctuation
- compounds.py    Dutch compounds: a word as part of one, two words written as one
- matching.py     when two spellings are the same word, in an explicit mode per caller
- stemming.py     words -> the terms the full-text index keeps for them (its analyser's stems)
- sentences.py    text -> sentences (a reader's, or the chunker's clauses)
- questions.py    questions normalised, their subject words, what they ask for
- detection.py    Dutch or English, of a question or of a collection
- translation.py  word for word between Dutch and English (FreeDict's dictionaries)
- dates.py        days written out ("1 januari 2025")
- calibration.py  per embedding model, the thresholds and weights that read its cosines
"""
