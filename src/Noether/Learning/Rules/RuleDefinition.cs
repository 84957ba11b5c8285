using System.Numerics;
using System.Reflection;
using Noether.Nn;

namespace Noether.Learning.Rules;

/// <summary>
/// The settings of the rule section a rule may read, resolved per population member (docs/rules.md): the law of random
/// feedback matrices, the sign-symmetry scale, the dendritic coefficient and feedback decay, the coupled decay λ
/// (Kolen–Pollack's feedback decays with it) and the random teacher's hidden width.
/// </summary>
public sealed record RuleSettings(double FeedbackStd, SignScale SignScale, double[] Coefficient, double[] FeedbackDecay, double[] L2, int TeacherHidden);

/// <summary>
/// A learning rule as users name it (<c>--set rule=NAME</c>, docs/EXTENDING.md#a-learning-rule): its name, one line, whether its
/// error travels through a feedback matrix B of W's shape, and how to build its error source and routing for a network.
/// One sealed subclass per rule, beside the rule's class; <see cref="RuleRegistry"/> finds it, so adding a rule edits no list.
/// </summary>
public abstract class RuleDefinition
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    /// <summary>Whether the rule sends the error through a feedback matrix (so a connectivity mask can thin it).</summary>
    public virtual bool Feedback => false;

    /// <summary>The rule's error source and routing for <paramref name="network"/>, in the order they run.</summary>
    public abstract IEnumerable<LearningRule<T>> Build<T>(Sequential<T> network, MemberStreams streams, RuleSettings settings)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// Every <see cref="RuleDefinition"/>, found once by type in this assembly (plus those another assembly registers); the
/// rule section's validation, <c>noether list rules</c> and docs/reference.md read this list.
/// </summary>
public static class RuleRegistry
{
    private static readonly List<RuleDefinition> _all = Discover(typeof(RuleDefinition).Assembly);

    /// <summary>The rules, backprop first, then by name.</summary>
    public static IReadOnlyList<RuleDefinition> All
    {
        get { lock (_all) return _all.OrderBy(r => r.Name == "backprop" ? 0 : 1).ThenBy(r => r.Name, StringComparer.Ordinal).ToList(); }
    }

    public static IEnumerable<string> Names => All.Select(r => r.Name);

    public static RuleDefinition? Find(string name) => All.FirstOrDefault(r => r.Name == name);

    /// <summary>Adds the rules of another assembly; a name already taken is refused (a rule type already registered is skipped).</summary>
    public static void Register(Assembly assembly)
    {
        lock (_all)
            foreach (var r in Discover(assembly))
            {
                if (_all.Any(q => q.GetType() == r.GetType())) continue;
                if (_all.Any(q => q.Name == r.Name)) throw new ArgumentException($"rule '{r.Name}' of {assembly.GetName().Name} is already registered");
                _all.Add(r);
            }
    }

    private static List<RuleDefinition> Discover(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(RuleDefinition)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (RuleDefinition)Activator.CreateInstance(t)!)
            .ToList();
}
