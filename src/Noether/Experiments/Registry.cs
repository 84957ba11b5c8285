namespace Noether.Experiments;

/// <summary>
/// Every experiment Noether knows: the ten paper reproductions (<see cref="All"/>, in the order `reproduce` runs them)
/// and the runs defined by a config file (<see cref="Studies"/>: `noether run study --config FILE`, docs/studies.md),
/// which `reproduce` runs only when named with --only.
/// </summary>
public static class Registry
{
    /// <summary>The paper reproductions: what `reproduce`, `list` and the per-experiment tests and pages cover.</summary>
    public static IReadOnlyList<IExperiment> All { get; } =
    [
        new Hebbian(),
        new Heterosynaptic(),
        new SelfAssembly(),
        new NoiseEquilibrium(),
        new EntropicBalance(),
        new SymmetryHierarchy(),
        new CanonicalRepresentation(),
        new SymmetryRemoval(),
        new MultimodalAlignment(),
        new Compositional(),
    ];

    /// <summary>Runs defined entirely by a config file (docs/studies.md); not papers, so not part of a default `reproduce`.</summary>
    public static IReadOnlyList<IExperiment> Studies { get; } = [new Study()];

    private static readonly List<IExperiment> _registered = [];

    /// <summary>Experiments another assembly registered (a script's or a plug-in's), in registration order.</summary>
    public static IReadOnlyList<IExperiment> Registered { get { lock (_registered) return _registered.ToList(); } }

    /// <summary>
    /// Makes an experiment defined outside this library runnable by id in this process (`ExperimentRunner.Run`: run
    /// folder, claims, report data, resume). Its id must be new; registering the same object twice is harmless.
    /// </summary>
    public static void Register(IExperiment experiment)
    {
        lock (_registered)
        {
            if (_registered.Contains(experiment)) return;
            if (Find(experiment.Id) is not null) throw new ArgumentException($"experiment id '{experiment.Id}' is already registered");
            _registered.Add(experiment);
        }
    }

    /// <summary>The experiment or study with this id, or null.</summary>
    public static IExperiment? Find(string id) => All.Concat(Studies).Concat(Registered).FirstOrDefault(e => e.Id == id);

    public static IExperiment Get(string id) =>
        Find(id) ?? throw new ConfigException($"unknown experiment '{id}'; known experiments: {string.Join(", ", All.Concat(Studies).Concat(Registered).Select(e => e.Id))} (one defined in another assembly: noether --assembly PATH …)");
}
