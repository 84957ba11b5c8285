using System.Numerics;
using Noether.Learning.Rules;
using Noether.Nn;

namespace Noether.Experiments;

/// <summary>
/// Config section that selects and parameterises a learning rule (docs/rules.md); any
/// experiment can embed it as a property named <c>Rule</c>, so <c>--set rule=kp</c> picks Kolen–Pollack and
/// <c>--set rule.l2=0.01</c> its decay. <see cref="Build"/> makes the rule stack in the canonical order.
/// </summary>
[SectionValue(nameof(Name))]
public sealed class RuleConfig : IValidatedConfig
{
    /// <summary>The rule names (<see cref="RuleRegistry"/>: each rule declares itself beside its class).</summary>
    public static IEnumerable<string> Names => RuleRegistry.Names;
    /// <summary>Whether rule <paramref name="name"/> sends the error through a feedback matrix (so rule.density can mask it).</summary>
    public static bool HasFeedback(string name) => RuleRegistry.Find(name)?.Feedback ?? false;

    [Param("learning rule (noether list rules; docs/rules.md)", OneOfNames = typeof(RuleRegistry))]
    public string Name { get; set; } = "backprop";

    [Param("std of random feedback matrices at initialisation (fa, dfa, kp, dendritic); 0 = the law of the forward weight, N(0, 1/fan_in)", Min = 0, Max = 100)]
    public double FeedbackStd { get; set; }

    [Param("scale of sign-symmetric feedback: mean-abs (B = mean|W|·sign W) or unit (B = sign W)", OneOf = ["mean-abs", "unit"])]
    public string SignScale { get; set; } = "mean-abs";

    [Param("dendritic coefficient c in ΔV = −η(c·h eᵀ + λ_V V); its sign is the sign of the consistency score φ", Min = -100, Max = 100)]
    public double Coefficient { get; set; } = 1.0;

    [Param("dendritic decay λ_V of the feedback weights (kp uses rule.l2 instead)", Min = 0, Max = 10)]
    public double FeedbackDecay { get; set; } = 1e-3;

    [Param("connection density of the feedback matrices (and of the hidden forward weights with rule.mask_forward); 1 = dense", Min = 1e-6, Max = 1)]
    public double Density { get; set; } = 1.0;

    [Param("also mask the forward weights of the hidden layers at rule.density (amorphous connectivity)")]
    public bool MaskForward { get; set; }

    [Param("coupled L2 λ on every weight, W ← W − η(g + λW) (the papers' γ); kp's feedback decays with the same λ", Min = 0, Max = 10)]
    public double L2 { get; set; }

    [Param("parameter-noise std σ: forward and backward at W + σZ, the update applied to the clean W", Min = 0, Max = 100)]
    public double ParameterNoise { get; set; }

    [Param("gradient-noise std: g ← g + σξ on every weight", Min = 0, Max = 100)]
    public double GradientNoise { get; set; }

    [Param("input-noise std: x ← x + σξ before every forward pass", Min = 0, Max = 100)]
    public double InputNoise { get; set; }

    [Param("hidden width of the random-teacher network (in → width (tanh) → out)", Min = 1, Max = 4096)]
    public int TeacherHidden { get; set; } = 64;

    public void Validate()
    {
        if (Density < 1 && !MaskForward && !HasFeedback(Name))
            throw new ConfigException($"rule.density={Density}: masks a feedback matrix, which rule={Name} does not have; use rule=fa, sign, kp or dendritic, or set rule.mask_forward=true");
    }

    /// <summary>Plain backpropagation with no noise, mask or decay: the rule every protocol trains with unless it says otherwise.</summary>
    public bool IsPlainBackprop => Name == "backprop" && L2 == 0 && ParameterNoise == 0 && GradientNoise == 0 && InputNoise == 0 && Density == 1;

    /// <summary>Per-member values that override this section's scalars (sweeps over a population).</summary>
    public sealed record PerMember
    {
        public double[]? L2 { get; init; }
        public double[]? ParameterNoise { get; init; }
        public double[]? Coefficient { get; init; }
        public double[]? FeedbackDecay { get; init; }
        public double[]? Density { get; init; }
    }

    /// <summary>
    /// The rule stack for <paramref name="network"/>: input noise, parameter noise, error source, routing,
    /// mask, gradient noise, coupled L2 (pieces whose strength is zero everywhere are left out).
    /// </summary>
    public RuleStack<T> Build<T>(Sequential<T> network, MemberStreams streams, PerMember? perMember = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = network.Members;
        double[] Vec(double[]? v, double s, string key)
        {
            if (v is not null && v.Length != p) throw new ConfigException($"rule.{key}: {v.Length} per-member values for {p} members");
            return v ?? Enumerable.Repeat(s, p).ToArray();
        }
        var l2 = Vec(perMember?.L2, L2, "l2");
        var paramNoise = Vec(perMember?.ParameterNoise, ParameterNoise, "parameter_noise");
        var rules = new List<LearningRule<T>>();
        if (InputNoise > 0) rules.Add(new InputNoise<T>(p, streams, Vec(null, InputNoise, "input_noise")));
        if (paramNoise.Any(s => s > 0)) rules.Add(new ParameterNoise<T>(network, streams, paramNoise));
        var definition = RuleRegistry.Find(Name) ?? throw new ConfigException($"rule={Name}: expected one of {string.Join(", ", Names)}");
        rules.AddRange(definition.Build(network, streams, new RuleSettings(FeedbackStd,
            SignScale == "unit" ? Learning.Rules.SignScale.Unit : Learning.Rules.SignScale.MeanAbs,
            Vec(perMember?.Coefficient, Coefficient, "coefficient"), Vec(perMember?.FeedbackDecay, FeedbackDecay, "feedback_decay"), l2, TeacherHidden)));
        var density = Vec(perMember?.Density, Density, "density");
        if (density.Any(d => d < 1))
            rules.Add(new ConnectivityMask<T>(network, streams, HasFeedback(Name) ? density : Vec(null, 1, "density"), MaskForward ? density : null));
        if (GradientNoise > 0) rules.Add(new GradientNoise<T>(network, streams, Vec(null, GradientNoise, "gradient_noise")));
        if (l2.Any(v => v > 0)) rules.Add(new CoupledL2<T>(network, l2));
        return new RuleStack<T>(rules);
    }

    /// <summary>A copy (experiments derive per-condition variants from the user's section).</summary>
    public RuleConfig Clone() => (RuleConfig)MemberwiseClone();
}
