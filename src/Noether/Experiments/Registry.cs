namespace Noether.Experiments;

/// <summary>Every experiment Noether knows, in the order `reproduce` runs them.</summary>
public static class Registry
{
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

    public static IExperiment Get(string id) =>
        All.FirstOrDefault(e => e.Id == id)
        ?? throw new ConfigException($"unknown experiment '{id}'; known experiments: {string.Join(", ", All.Select(e => e.Id))}");
}
