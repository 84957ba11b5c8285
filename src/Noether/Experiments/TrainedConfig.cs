using System.Globalization;
using System.Numerics;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// The training sections every experiment that trains networks by gradient steps exposes with the same keys
/// (docs/training.md): <c>rule.*</c> (the learning rule and its noise and coupled L2 λ), <c>syre.*</c> (symmetry
/// removal, the decay phase of the rule stack), <c>optimizer.*</c> (momentum, schedule) and <c>probes</c> (training
/// probes attached to every watched trainer). An experiment's config
/// derives from this class and wires every trainer it builds through <see cref="Attach{T}"/> or
/// <see cref="Stack{T}"/>; a key it cannot honour is named in <see cref="Unhonoured"/> with the reason, and a run
/// that changes it is refused before it starts (<see cref="CheckHonoured"/>).
/// </summary>
public abstract class TrainedConfig
{
    public RuleConfig Rule { get; set; } = new();
    public SyreConfig Syre { get; set; } = new();
    public OptimizerConfig Optimizer { get; set; } = new();
    public ProbesConfig Probes { get; set; } = new();

    /// <summary>
    /// Training keys (or key prefixes such as "rule.") this experiment cannot honour, each with the reason in
    /// words a user reads after "cannot honour it: ".
    /// </summary>
    public virtual IReadOnlyList<(string Key, string Why)> Unhonoured => [];

    /// <summary>
    /// Adds the rule section (when it is anything but plain backprop) and syre (when on) to <paramref name="trainer"/>
    /// as one rule stack; returns it, or null when the defaults leave the protocol's trainer untouched.
    /// </summary>
    /// <param name="trainer">the protocol's trainer; its network is the one the rules and syre act on.</param>
    /// <param name="streams">member m's random stream of a name (the rule's and syre's draws).</param>
    public RuleStack<T>? Attach<T>(Trainer<T> trainer, MemberStreams streams) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rules = RuleOf(trainer.Network, streams).ToList();
        if (Syre.Rule(trainer.Network, streams) is { } syre) rules.Add(syre);
        if (rules.Count == 0) return null;
        var stack = new RuleStack<T>(rules);
        trainer.Use(stack);
        return stack;
    }

    /// <summary>The rule section's stack for <paramref name="network"/>, empty when it is plain backprop (the protocol's own gradient).</summary>
    public IReadOnlyList<LearningRule<T>> RuleOf<T>(Sequential<T> network, MemberStreams streams) where T : unmanaged, IFloatingPointIeee754<T> =>
        Rule.IsPlainBackprop ? [] : Rule.Build(network, streams).Rules;

    /// <summary>
    /// The rule stack of an experiment that trains with a rule of its own choosing (<paramref name="rule"/>, often a
    /// per-condition copy of <see cref="Rule"/>), with syre appended as its decay phase when on.
    /// </summary>
    public RuleStack<T> Stack<T>(RuleConfig rule, Sequential<T> network, MemberStreams streams, RuleConfig.PerMember? perMember = null)
        where T : unmanaged, IFloatingPointIeee754<T> => WithSyre(rule.Build(network, streams, perMember).Rules, network, streams);

    /// <summary>A stack of rules an experiment built itself, with syre appended as its decay phase when on.</summary>
    public RuleStack<T> WithSyre<T>(IEnumerable<LearningRule<T>> rules, Sequential<T> network, MemberStreams streams)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(Syre.Rule(network, streams) is { } syre ? [.. rules, syre] : rules);

    /// <summary>
    /// Refuses a config that changes a key its experiment cannot honour: an <c>optimizer.*</c> key the chosen optimiser
    /// does not read, then every key under each <see cref="Unhonoured"/> prefix compared with the profile's default;
    /// names the first that differs.
    /// </summary>
    public static void CheckHonoured(string experimentId, object defaults, object config)
    {
        if (config is not TrainedConfig trained) return;
        if (defaults is TrainedConfig d && trained.Optimizer.Unused(d.Optimizer) is { } unused)
            throw new ConfigException($"{unused.Key}={unused.Value}: {experimentId} cannot honour it: {unused.Why}");
        if (trained.Unhonoured.Count == 0) return;
        var before = ConfigBinder.Describe(defaults).ToDictionary(d => d.Key, d => Text(d.Value));
        foreach (var (key, value, _) in ConfigBinder.Describe(config).Select(d => (d.Key, d.Value, d.Param)))
        {
            var rule = trained.Unhonoured.FirstOrDefault(u => key == u.Key || (u.Key.EndsWith('.') && key.StartsWith(u.Key, StringComparison.Ordinal)));
            if (rule.Key is null || before.GetValueOrDefault(key) == Text(value)) continue;
            throw new ConfigException($"{key}={Text(value)}: {experimentId} cannot honour it: {rule.Why}");
        }
    }

    private static string Text(object? v) => v switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        Array a => string.Join(",", a.Cast<object>().Select(Text)),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };
}
