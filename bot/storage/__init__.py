"""Storage and queries: async, typed, no Discord types. All SQL lives in this package."""
