using System.Reflection;

namespace Noether;

/// <summary>
/// A building block users name in a config (an initialiser, an optimiser, a schedule, an activation), declared once: its
/// name, any accepted aliases, one line, and its options. One sealed subclass per block with a parameterless constructor;
/// <see cref="Definitions{TDefinition}"/> finds it by type, so config validation (<c>OneOf</c> lists), <c>noether list …</c>
/// and docs/reference.md read the same declaration and no name is written twice (docs/EXTENDING.md).
/// </summary>
public abstract class Definition
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    /// <summary>Its options in words: each name, meaning, type, range and default; empty when it has none.</summary>
    public virtual string Options => "";
    /// <summary>Other names accepted for it (e.g. "kaiming" for "he").</summary>
    public virtual IReadOnlyList<string> Aliases => [];
}

/// <summary>
/// Every <typeparamref name="TDefinition"/>, found once by type in its assembly (plus those another assembly registers);
/// a <c>[Param(OneOfNames = typeof(Definitions&lt;…&gt;))]</c> key accepts exactly <see cref="Names"/>.
/// </summary>
public static class Definitions<TDefinition> where TDefinition : Definition
{
    private static readonly List<TDefinition> _all = Discover(typeof(TDefinition).Assembly);

    /// <summary>The definitions, sorted by name.</summary>
    public static IReadOnlyList<TDefinition> All { get { lock (_all) return _all.OrderBy(d => d.Name, StringComparer.Ordinal).ToList(); } }

    /// <summary>Every accepted name: each definition's name, then its aliases.</summary>
    public static IEnumerable<string> Names => All.SelectMany(d => d.Aliases.Prepend(d.Name));

    /// <summary>The definition named (or aliased) <paramref name="name"/>, or null.</summary>
    public static TDefinition? Find(string name) => All.FirstOrDefault(d => d.Name == name || d.Aliases.Contains(name));

    /// <summary>The definition named <paramref name="name"/>; an unknown name throws <see cref="ArgumentException"/> listing the accepted ones.</summary>
    public static TDefinition Get(string name, string what) =>
        Find(name) ?? throw new ArgumentException($"unknown {what} '{name}'; expected one of {string.Join(", ", Names)}");

    /// <summary>Adds the definitions of another assembly; a name or alias already taken is refused (a type already registered is skipped).</summary>
    public static void Register(Assembly assembly)
    {
        lock (_all)
            foreach (var d in Discover(assembly))
            {
                if (_all.Any(q => q.GetType() == d.GetType())) continue;
                if (d.Aliases.Prepend(d.Name).FirstOrDefault(n => _all.Any(q => q.Name == n || q.Aliases.Contains(n))) is { } taken)
                    throw new ArgumentException($"{typeof(TDefinition).Name} '{taken}' of {assembly.GetName().Name} is already registered");
                _all.Add(d);
            }
    }

    private static List<TDefinition> Discover(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(TDefinition)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (TDefinition)Activator.CreateInstance(t)!)
            .ToList();
}
