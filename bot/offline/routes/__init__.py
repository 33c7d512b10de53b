"""The offline Discord's REST resources, one module each; `bot.offline.server` combines them."""
