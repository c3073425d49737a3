"""What the answers teach: the stored answers with their 👍/👎 votes, and the questions the documents miss."""
