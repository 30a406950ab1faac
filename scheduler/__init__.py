"""Core of the ILACS programme scheduler: data, rules, model, checker and exports."""
