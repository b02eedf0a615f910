"""Domain-free core: model, schedule, result, registry, validation, objectives."""
