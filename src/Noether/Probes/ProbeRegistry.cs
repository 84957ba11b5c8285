using System.Reflection;

namespace Noether.Probes;

/// <summary>
/// Every <see cref="TrainingProbe"/>, found once: the sealed subclasses with a parameterless constructor in this
/// assembly, plus any registered from another assembly with <see cref="Register"/>. Config validation,
/// <c>noether list probes</c> and docs/reference.md read this list; no probe name is written anywhere else.
/// </summary>
public static class ProbeRegistry
{
    private static readonly List<TrainingProbe> _all = Discover(typeof(TrainingProbe).Assembly);

    /// <summary>The probes, sorted by name.</summary>
    public static IReadOnlyList<TrainingProbe> All { get { lock (_all) return _all.OrderBy(p => p.Name, StringComparer.Ordinal).ToList(); } }

    public static IEnumerable<string> Names => All.Select(p => p.Name);

    /// <summary>The probe named <paramref name="name"/>, or null.</summary>
    public static TrainingProbe? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>Adds the probes of another assembly (a study's or a script's); a name already taken is refused (a probe type already registered is skipped).</summary>
    public static void Register(Assembly assembly)
    {
        lock (_all)
            foreach (var p in Discover(assembly))
            {
                if (_all.Any(q => q.GetType() == p.GetType())) continue;
                if (_all.Any(q => q.Name == p.Name)) throw new ArgumentException($"probe '{p.Name}' of {assembly.GetName().Name} is already registered");
                _all.Add(p);
            }
    }

    private static List<TrainingProbe> Discover(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(TrainingProbe)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (TrainingProbe)Activator.CreateInstance(t)!)
            .ToList();
}
