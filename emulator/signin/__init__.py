"""Sign-in steps, one small function per AuthFlow and per ChallengeName; the actions
in actions/auth.py hold the dispatch tables."""
