"""Edge/cloud scheduling: drone DNN inference with deadlines (DEMS-A/GEMS), MEC offloading (delay/energy
Pareto fronts), and IoT task allocation to cloud nodes (ant colony optimisation)."""
