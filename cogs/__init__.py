"""Discord cogs: thin commands over the query and presentation layers; a big cog is a package."""
