using Noether.Data;
using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Probes;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Ziyin, Chuang, Poggio — "Heterosynaptic Circuits Are Universal Gradient Machines" (arXiv 2505.02248;
/// docs/experiments/heterosynaptic.md). The paper's simulation details were not
/// readable; the model is an implementable reading of its mechanism (docs/experiments/heterosynaptic.md#protocol): the hidden error arrives through
/// dendritic weights V, p = V e, and V learns by ΔV = −η(c·h eᵀ + λ_V V), so at heterosynaptic stability
/// V → (cλ₂/λ_V)·W₂ᵀ and the update of W₁ is φ times the gradient with φ = cλ₂/λ_V.
/// B-E1 (Heterosynaptic.Consistency.cs): the sign of the consistency score φ̂ decides descent (c &gt; 0) or ascent (c &lt; 0);
/// the c &lt; 0 magnitudes are read where the c-term dominates V (V(0) = 0, or V(0) decayed below e^(−5)).
/// B-E2: evolution over the genome (a, b) of ΔV = −η(a·h eᵀ + b V), selected on task loss only, finds φ &gt; 0 rules.
/// B-E3: metaplasticity — after the digest's V-only history with the rule flipped to c = −1, the same probe event
/// gives an opposite or ≥ 2× different update; an inverted-teaching history is a separate claim.
/// B-E4: learning survives sparse and amorphous connectivity (rule of the <c>rule</c> section), against the
/// topology-matched reference M⊙W₂ᵀ and feedback alignment through the same mask.
/// Defaults: teacher 16→32(tanh)→16, 4096 samples; student 16→64(tanh)→16 without biases, SGD η = 0.05,
/// batch 64, 4000 steps, coupled L2 λ = 1e-3 on W₁ and W₂, V(0) ~ N(0, 1/64) (the law of W₂ᵀ, independent of it).
/// Backprop is the member whose V starts at W₂ᵀ with c = 1, λ_V = λ (the symmetric start); frozen feedback
/// (feedback alignment) is c = 0, λ_V = 0. Seed i is run seed + i with its own teacher, data and initialisation.
/// </summary>
public sealed partial class Heterosynaptic : Experiment<Heterosynaptic.Config>
{
    public override string Id => "heterosynaptic";
    public override string Title => "Heterosynaptic stability plus dynamical consistency gives gradient learning";
    public override Paper Paper => new("Heterosynaptic Circuits Are Universal Gradient Machines", "Liu Ziyin, Isaac Chuang, Tomaso Poggio", "2505.02248");
    public override string Summary => "B-E1 the sign of the consistency score φ decides descent or ascent; B-E2 evolution on task loss finds φ > 0 rules; B-E3 metaplasticity; B-E4 learning survives sparse connectivity";

    public sealed class Config : TrainedConfig, IValidatedConfig
    {
        /// <summary>The rule section is the feedback rule of B-E4 and the shared settings (W decay rule.l2, V law rule.feedback_std) of all parts.</summary>
        public Config() => Rule = new() { Name = "dendritic", Coefficient = 1, FeedbackDecay = 1e-3, L2 = 1e-3 };

        /// <summary>B-E1–B-E3 build their dendritic circuits from their own sections; the noise pieces would reach only B-E4.</summary>
        public override IReadOnlyList<(string Key, string Why)> Unhonoured =>
            [.. new[] { "rule.parameter_noise", "rule.gradient_noise", "rule.input_noise" }.Select(k =>
                (k, "B-E1–B-E3 build their dendritic circuits from their own sections, so the noise would reach only B-E4; run hebbian for noisy rules")),
             .. new[] { "optimizer.name", "optimizer.momentum" }.Select(k =>
                (k, "its dendritic weights V move by the plain SGD step of W (V → (cλ/λ_V)·Wᵀ, φ = cλ/λ_V is derived for it); another optimiser or momentum would step W alone by a different rule")),
             ("probes.", "its circuits hold their networks seed-major, not in population order, so no trainer is handed to the probes; φ̂ and the other meters are built in")];
        public NetworkConfig Network { get; set; } = new();
        public ConsistencyConfig Consistency { get; set; } = new();
        public EvolutionConfig Evolution { get; set; } = new();
        public MetaplasticityConfig Metaplasticity { get; set; } = new();
        public TopologyConfig Topology { get; set; } = new();
        [Param("seeds (run seed + i), each its own teacher, data, initialisation and V(0)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 100;

        public void Validate()
        {
            string[] withFeedback = ["fa", "sign", "kp", "dendritic"];
            if (!withFeedback.Contains(Rule.Name))
                throw new ConfigException($"rule={Rule.Name}: B-E4 measures φ̂ of a feedback pathway; expected one of {string.Join(", ", withFeedback)}");
            if (Consistency.Window > Network.Steps) throw new ConfigException($"consistency.window={Consistency.Window}: expected at most network.steps ({Network.Steps})");
        }
    }

    /// <summary>The B-E1/B-E3/B-E4 task and network (docs/experiments/heterosynaptic.md#protocol).</summary>
    public sealed class NetworkConfig : IValidatedConfig
    {
        [Param("input width", Min = 1, Max = 4096)] public int InputDim { get; set; } = 16;
        [Param("teacher hidden width", Min = 1, Max = 4096)] public int TeacherHidden { get; set; } = 32;
        [Param("student hidden width (tanh)", Min = 1, Max = 4096)] public int Hidden { get; set; } = 64;
        [Param("output width", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 16;
        [Param("training samples", Min = 2)] public int Samples { get; set; } = 4096;
        [Param("SGD learning rate η", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("batch size", Min = 1)] public int Batch { get; set; } = 64;
        [Param("training steps", Min = 1)] public int Steps { get; set; } = 4000;

        public void Validate()
        {
            if (Batch > Samples) throw new ConfigException($"network.batch={Batch}: expected at most network.samples ({Samples})");
        }
    }

    /// <summary>B-E1: dendritic rules with coefficients c, decays λ_V and V(0) scales (paired lists).</summary>
    public sealed class ConsistencyConfig : IValidatedConfig
    {
        [Param("dendritic coefficients c, one per condition", Min = -100, Max = 100)] public double[] Coefficients { get; set; } = [1, 1, 0.3, 0.3, -1, -1, -1, -1];
        [Param("dendritic decays λ_V, paired with consistency.coefficients", Min = 0, Max = 10)] public double[] FeedbackDecays { get; set; } = [1e-3, 1e-2, 1e-3, 1e-2, 1e-3, 1e-2, 1e-3, 1e-2];
        [Param("V(0) of each condition as a multiple of its random draw (law rule.feedback_std; 1: the law of W2ᵀ, 0: V(0) = 0, so the c-term alone forms V), paired with consistency.coefficients", Min = 0, Max = 100)]
        public double[] FeedbackInitScales { get; set; } = [1, 1, 1, 1, 1, 1, 0, 0];
        [Param("final steps over which φ̂, the DC fraction and cos(ΔW1, −∇W1) are averaged", Min = 1)] public int Window { get; set; } = 400;

        public void Validate()
        {
            if (Coefficients.Length != FeedbackDecays.Length)
                throw new ConfigException($"consistency.feedback_decays: {FeedbackDecays.Length} values for {Coefficients.Length} consistency.coefficients");
            if (Coefficients.Length != FeedbackInitScales.Length)
                throw new ConfigException($"consistency.feedback_init_scales: {FeedbackInitScales.Length} values for {Coefficients.Length} consistency.coefficients");
            if (!Coefficients.Any(c => c > 0) || !Coefficients.Any(c => c < 0))
                throw new ConfigException($"consistency.coefficients={string.Join(",", Coefficients)}: expected both positive and negative values");
            if (Coefficients.Any(c => c == 0)) throw new ConfigException("consistency.coefficients: c = 0 is the frozen-feedback baseline, which is always run");
        }
    }

    /// <summary>B-E2: selection on task loss over the genome (a, b) of ΔV = −η(a·h eᵀ + b V).</summary>
    public sealed class EvolutionConfig : IValidatedConfig
    {
        [Param("student hidden width", Min = 1, Max = 4096)] public int Hidden { get; set; } = 32;
        [Param("output width (teacher 16→32→out)", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 8;
        [Param("batch size", Min = 1)] public int Batch { get; set; } = 32;
        [Param("training steps per fitness evaluation", Min = 1)] public int Steps { get; set; } = 600;
        [Param("final steps whose mean batch loss is the fitness", Min = 1)] public int FitnessWindow { get; set; } = 50;
        [Param("genomes per generation", Min = 2, Max = 4096)] public int Population { get; set; } = 16;
        [Param("genomes kept per generation; each is copied once and mutated into the rest", Min = 1)] public int Elites { get; set; } = 4;
        [Param("generations (gen 0 is the random initial population)", Min = 1, Max = 1000)] public int Generations { get; set; } = 8;
        [Param("generation at which the claims are checked", Min = 0)] public int CheckGeneration { get; set; } = 5;
        [Param("mutation std of a", Min = 0)] public double MutationA { get; set; } = 0.3;
        [Param("mutation std of b", Min = 0)] public double MutationB { get; set; } = 0.005;
        [Param("initial b ~ U(0, this)", Min = 0)] public double InitialBMax { get; set; } = 0.02;

        public void Validate()
        {
            if (Population % Elites != 0) throw new ConfigException($"evolution.elites={Elites}: must divide evolution.population ({Population})");
            if (CheckGeneration >= Generations) throw new ConfigException($"evolution.check_generation={CheckGeneration}: expected below evolution.generations ({Generations})");
            if (FitnessWindow > Steps) throw new ConfigException($"evolution.fitness_window={FitnessWindow}: expected at most evolution.steps ({Steps})");
        }
    }

    /// <summary>B-E3: copies with different plasticity histories of V, probed with the same event.</summary>
    public sealed class MetaplasticityConfig
    {
        [Param("steps all copies train together with c = +1", Min = 0)] public int TrainSteps { get; set; } = 2000;
        [Param("history steps in which only V changes: copy 2 under inverted targets −y, copy 3 with c = history_coefficient", Min = 0)] public int HistorySteps { get; set; } = 500;
        [Param("dendritic coefficient of copy 3's history (the digest's protocol)", Min = -100, Max = 100)] public double HistoryCoefficient { get; set; } = -1;
    }

    /// <summary>B-E4: sparse masks on the feedback (and forward) connections.</summary>
    public sealed class TopologyConfig
    {
        [Param("connection densities p", Min = 1e-6, Max = 1)] public double[] Densities { get; set; } = [1, 0.5, 0.2];
        [Param("density at which loss ≤ 2× backprop is required", Min = 1e-6, Max = 1)] public double ReferenceDensity { get; set; } = 0.5;
    }

    protected override Config Profile(string profile) => profile == "full"
        ? new Config
        {
            Seeds = 10,
            ProbeEvery = 200,
            Network = new NetworkConfig { Steps = 10000 },
            Consistency = new ConsistencyConfig { Window = 1000 },
            Evolution = new EvolutionConfig { Generations = 12, Steps = 1000, Population = 32 },
            Metaplasticity = new MetaplasticityConfig { TrainSteps = 5000, HistorySteps = 1000 },
            Topology = new TopologyConfig { Densities = [1, 0.5, 0.2, 0.1] },
        }
        : new Config();

    protected override IReadOnlyList<Claim> Run(Config config, RunContext ctx)
    {
        var n = config.Network;
        var data = TeacherData(n.InputDim, n.TeacherHidden, n.OutputDim, n.Samples, config.Seeds, ctx, "data");
        var claims = new List<Claim>();
        // Phases B-E1 (below), B-E2 (Heterosynaptic.Evolution.cs), B-E3 (Heterosynaptic.Metaplasticity.cs) and B-E4
        // (Heterosynaptic.Topology.cs); a resumed run re-runs the one it was stopped in from its start.
        claims.AddRange(ctx.ClaimsPhase("consistency", _ => RunConsistency(config, ctx, data)));
        claims.AddRange(ctx.ClaimsPhase("evolution", _ => RunEvolution(config, ctx)));
        claims.AddRange(ctx.ClaimsPhase("metaplasticity", _ => RunMetaplasticity(config, ctx, data)));
        claims.AddRange(ctx.ClaimsPhase("topology", _ => RunTopology(config, ctx, data)));
        return claims;
    }

    // ---- circuits, shared by every part ----

    private static string SeedList(RunContext ctx, IEnumerable<double> values) =>
        string.Join(", ", values.Select((v, i) => $"seed {ctx.Seed + i}: {Claim.Format(v)}"));

    private static TrainingData<double> TeacherData(int d, int hidden, int outDim, int samples, int seeds, RunContext ctx, string stream)
    {
        var set = TeacherStudent.Tanh<double>(seeds, samples, d, hidden, outDim, m => ctx.SeedStream(m, stream));
        return new TrainingData<double>(set.Inputs, set.Targets, perMember: true);
    }

    /// <summary>
    /// A population of 2-layer tanh students with its rule stack plugged in. The networks are held seed-major (network
    /// c is seed c / K, condition c % K of the K conditions); <see cref="Member"/> gives its member in <see cref="Pop"/>.
    /// </summary>
    private sealed record Circuit(Sequential<double> Net, Trainer<double> Trainer, RuleStack<double> Stack, Population Pop)
    {
        public int Member(int network) => Pop.Layout.MemberOfCondition(network % Pop.Layout.Conditions, network / Pop.Layout.Conditions);
    }

    private static Circuit BuildCircuit(RunContext ctx, TrainedConfig config, Population pop, string prefix, int[] widths, TrainingData<double> seedData, int batch, double lr,
        Func<Sequential<double>, MemberStreams, IEnumerable<LearningRule<double>>> rules, bool ownData = false)
    {
        int members = pop.Count, k = pop.Layout.Conditions;
        int seedOf(int m) => m / k;
        var net = Mlp.Build<double>(members, widths, "tanh", bias: false, compute: ctx.Compute);
        // Every member of a seed starts from the same forward weights, V(0) and batches: conditions differ only in their rule.
        net.Initialize(InitScheme.LeCun, Enumerable.Range(0, members).Select(m => ctx.SeedStream(seedOf(m), prefix + "init")).ToArray());
        MemberStreams streams = (m, name) => ctx.SeedStream(seedOf(m), prefix + name);
        var stack = config.WithSyre(rules(net, streams), net, streams); // syre, when on, as the decay phase (docs/training.md)
        var data = seedData.Expand(members, seedOf, copy: ownData); // conditions read their seed's set, unless a member's is changed later
        var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), config.Optimizer.Create<double>(members, lr), data, batch,
            Enumerable.Range(0, members).Select(m => ctx.SeedStream(seedOf(m), prefix + "batches")).ToArray(), config.Optimizer.ScheduleOf());
        trainer.Use(stack);
        return new Circuit(net, trainer, stack, pop);
    }

    /// <summary>Sets the feedback of the top layer of the given members to W₂ᵀ (stored in W₂'s shape): the symmetric start that is backprop.</summary>
    private static void SymmetricStart(Sequential<double> net, IEnumerable<int> members)
    {
        var top = net.Linears.Last();
        foreach (int m in members) top.Weight.Value.SliceSpan(m).CopyTo(top.Feedback!.SliceSpan(m));
    }

    /// <summary>A <see cref="ConsistencyMeter"/> on the circuit's learning signal at every step from <paramref name="from"/> on.</summary>
    private static ConsistencyMeter Meter(Circuit circuit, long from)
    {
        var meter = new ConsistencyMeter(circuit.Net.Members);
        circuit.Stack.SignalObservers.Add(st =>
        {
            if (st.Step >= from) meter.Observe(st.Network);
        });
        return meter;
    }

    private static void Train(RunContext ctx, Circuit circuit, string phase, long steps, int probeEvery)
    {
        var t = circuit.Trainer;
        long end = t.Step + steps;
        ctx.Time(phase, () =>
        {
            t.Run(steps, probeEvery, step =>
            {
                if (step > 0)
                    for (int m = 0; m < t.Network.Members; m++) circuit.Pop.Log(step, circuit.Member(m), "batch_loss", t.LastLoss[m]);
                ctx.Metrics.Flush();
                ctx.Progress.Report($"heterosynaptic {phase}", step, end);
            }, ctx.Cancel);
            return 0;
        });
    }
}
