"""Hand-written stand-in for the generated package of the doc page's complete example."""
