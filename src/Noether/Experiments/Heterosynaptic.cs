using Noether.Data;
using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Ziyin, Chuang, Poggio — "Heterosynaptic Circuits Are Universal Gradient Machines" (arXiv 2505.02248;
/// docs/experiments/heterosynaptic.md). The paper's simulation details were not
/// readable; the model is an implementable reading of its mechanism (docs/experiments/heterosynaptic.md#protocol): the hidden error arrives through
/// dendritic weights V, p = V e, and V learns by ΔV = −η(c·h eᵀ + λ_V V), so at heterosynaptic stability
/// V → (cλ₂/λ_V)·W₂ᵀ and the update of W₁ is φ times the gradient with φ = cλ₂/λ_V.
/// B-E1: the sign of the consistency score φ̂ decides descent (c &gt; 0) or ascent (c &lt; 0).
/// B-E2: evolution over the genome (a, b) of ΔV = −η(a·h eᵀ + b V), selected on task loss only, finds φ &gt; 0 rules.
/// B-E3: metaplasticity — after a V-only history of inverted teaching under the same rule, the same probe
/// event gives an opposite or ≥ 2× different update (the digest's history, the rule flipped to c = −1, beside it).
/// B-E4: learning survives sparse and amorphous connectivity (rule of the <c>rule</c> section).
/// Defaults: teacher 16→32(tanh)→16, 4096 samples; student 16→64(tanh)→16 without biases, SGD η = 0.05,
/// batch 64, 4000 steps, coupled L2 λ = 1e-3 on W₁ and W₂, V(0) ~ N(0, 1/64) (the law of W₂ᵀ, independent of it).
/// Backprop is the member whose V starts at W₂ᵀ with c = 1, λ_V = λ (the symmetric start); frozen feedback
/// (feedback alignment) is c = 0, λ_V = 0. Seed i is run seed + i with its own teacher, data and initialisation.
/// </summary>
public sealed class Heterosynaptic : Experiment<Heterosynaptic.Config>
{
    public override string Id => "heterosynaptic";
    public override string Title => "Heterosynaptic stability plus dynamical consistency gives gradient learning";
    public override Paper Paper => new("Heterosynaptic Circuits Are Universal Gradient Machines", "Liu Ziyin, Isaac Chuang, Tomaso Poggio", "2505.02248");
    public override string Summary => "B-E1 the sign of the consistency score φ decides descent or ascent; B-E2 evolution on task loss finds φ > 0 rules; B-E3 metaplasticity; B-E4 learning survives sparse connectivity";

    public sealed class Config : IValidatedConfig
    {
        /// <summary>The feedback rule of B-E4 and the shared settings (W decay rule.l2, V law rule.feedback_std) of all parts.</summary>
        public RuleConfig Rule { get; set; } = new() { Name = "dendritic", Coefficient = 1, FeedbackDecay = 1e-3, L2 = 1e-3 };
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

    /// <summary>B-E1: dendritic rules with coefficients c and decays λ_V (paired lists).</summary>
    public sealed class ConsistencyConfig : IValidatedConfig
    {
        [Param("dendritic coefficients c, one per condition", Min = -100, Max = 100)] public double[] Coefficients { get; set; } = [1, 1, 0.3, 0.3, -1, -1];
        [Param("dendritic decays λ_V, paired with consistency.coefficients", Min = 0, Max = 10)] public double[] FeedbackDecays { get; set; } = [1e-3, 1e-2, 1e-3, 1e-2, 1e-3, 1e-2];
        [Param("final steps over which φ̂, the DC fraction and cos(ΔW1, −∇W1) are averaged", Min = 1)] public int Window { get; set; } = 400;
        [Param("predicted φ = cλ/λ_V at or above which a c > 0 rule must reach φ̂ > 0.1 and loss ≤ 2× backprop; weaker c > 0 rules are checked by the sign of φ̂ and against the no-feedback control", Min = 0)] public double StrongPhi { get; set; } = 0.5;

        public void Validate()
        {
            if (Coefficients.Length != FeedbackDecays.Length)
                throw new ConfigException($"consistency.feedback_decays: {FeedbackDecays.Length} values for {Coefficients.Length} consistency.coefficients");
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
        // Phases B-E1 … B-E4; a resumed run re-runs the one it was stopped in from its start.
        var (consistencyClaims, bpLoss) = ctx.ClaimsPhase("consistency", _ => RunConsistency(config, ctx, data));
        claims.AddRange(consistencyClaims);
        claims.AddRange(ctx.ClaimsPhase("evolution", _ => RunEvolution(config, ctx)));
        claims.AddRange(ctx.ClaimsPhase("metaplasticity", _ => RunMetaplasticity(config, ctx, data)));
        claims.AddRange(ctx.ClaimsPhase("topology", _ => RunTopology(config, ctx, data, bpLoss)));
        return claims;
    }

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

    private static Circuit BuildCircuit(RunContext ctx, Population pop, string prefix, int[] widths, TrainingData<double> seedData, int batch, double lr,
        Func<Sequential<double>, MemberStreams, IEnumerable<LearningRule<double>>> rules)
    {
        int members = pop.Count, k = pop.Layout.Conditions;
        int seedOf(int m) => m / k;
        var net = Mlp.Build<double>(members, widths, "tanh", bias: false, compute: ctx.Compute);
        // Every member of a seed starts from the same forward weights, V(0) and batches: conditions differ only in their rule.
        net.Initialize(InitScheme.LeCun, Enumerable.Range(0, members).Select(m => ctx.SeedStream(seedOf(m), prefix + "init")).ToArray());
        MemberStreams streams = (m, name) => ctx.SeedStream(seedOf(m), prefix + name);
        var stack = new RuleStack<double>(rules(net, streams));
        var data = Expand(seedData, members, seedOf);
        var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), new Sgd<double>(members, lr), data, batch,
            Enumerable.Range(0, members).Select(m => ctx.SeedStream(seedOf(m), prefix + "batches")).ToArray());
        trainer.Use(stack);
        return new Circuit(net, trainer, stack, pop);
    }

    /// <summary>Per-member data from per-seed data (member m gets seed seedOf(m)'s set).</summary>
    private static TrainingData<double> Expand(TrainingData<double> seedData, int members, Func<int, int> seedOf)
    {
        var x = new Tensor<double>([members, .. seedData.Inputs.Shape[1..]]);
        var y = new Tensor<double>([members, .. seedData.Targets.Shape[1..]]);
        for (int m = 0; m < members; m++)
        {
            seedData.Inputs.SliceSpan(seedOf(m)).CopyTo(x.SliceSpan(m));
            seedData.Targets.SliceSpan(seedOf(m)).CopyTo(y.SliceSpan(m));
        }
        return new TrainingData<double>(x, y, perMember: true);
    }

    /// <summary>Sets the feedback of the top layer of the given members to W₂ᵀ (stored in W₂'s shape): the symmetric start that is backprop.</summary>
    private static void SymmetricStart(Sequential<double> net, IEnumerable<int> members)
    {
        var top = net.Linears.Last();
        foreach (int m in members) top.Weight.Value.SliceSpan(m).CopyTo(top.Feedback!.SliceSpan(m));
    }

    /// <summary>Window means of the consistency score φ̂, the DC fraction and cos(ΔW1, −∇W1) per member.</summary>
    private sealed class ConsistencyMeter
    {
        public ConsistencyMeter(int members)
        {
            Phi = Enumerable.Range(0, members).Select(_ => new StepAverage()).ToArray();
            Dc = Enumerable.Range(0, members).Select(_ => new StepAverage()).ToArray();
            Cos = Enumerable.Range(0, members).Select(_ => new StepAverage()).ToArray();
        }

        public StepAverage[] Phi { get; }
        public StepAverage[] Dc { get; }
        public StepAverage[] Cos { get; }

        /// <summary>Measures from step <paramref name="from"/> on: P = the error the feedback delivers to the hidden layer, Gh = the true ∂ℓ/∂h.</summary>
        public void Attach(RuleStack<double> stack, long from, Func<long, bool>? active = null)
        {
            stack.SignalObservers.Add(st =>
            {
                if (st.Step < from || (active is not null && !active(st.Step))) return;
                var trace = st.Network.Trace;
                for (int m = 0; m < Phi.Length; m++)
                {
                    var reference = BackpropReference.Compute(st.Network, m);
                    var delivered = trace[^1].GradInput.Slice(m);
                    var truth = reference[^1].InputError;
                    Phi[m].Add(ConsistencyScore.PhiHat(delivered, truth));
                    Dc[m].Add(ConsistencyScore.PositiveFraction(ConsistencyScore.PhiHatPerNeuron(delivered, truth)));
                    // ΔW1 = −Grad and −∇W1: the cosine of the two negatives is that of the gradients.
                    Cos[m].Add(MatrixAlignment.FrobeniusCosine(trace[0].Layer.Weight.Grad.Slice(m).ReadOnlySpan, reference[0].WeightGradient.ReadOnlySpan));
                }
            });
        }
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

    // ---- B-E1: the sign of φ decides descent or ascent ----

    private (IReadOnlyList<Claim>, double[] BpLoss) RunConsistency(Config config, RunContext ctx, TrainingData<double> data)
    {
        var n = config.Network;
        var c = config.Consistency;
        double l2 = config.Rule.L2;
        int rules = c.Coefficients.Length, k = rules + 3, s = config.Seeds, p = k * s;
        // Conditions per seed: the c/λ_V rules, then backprop (symmetric start, c = 1, λ_V = λ), frozen V
        // (c = 0, λ_V = 0: feedback alignment) and no feedback (V ≡ 0: the hidden layer cannot learn).
        int bp = rules, frozen = rules + 1, none = rules + 2;
        var coef = new double[p];
        var decay = new double[p];
        for (int m = 0; m < p; m++)
        {
            int j = m % k;
            (coef[m], decay[m]) = j < rules ? (c.Coefficients[j], c.FeedbackDecays[j]) : j == bp ? (1.0, l2) : (0.0, 0.0);
        }
        var pop = ctx.Population("consistency", PopulationLayout.OfSeeds(s).With(
            ConditionAxis.Of("rule", Enumerable.Range(0, k).Select(j => j < rules ? "dendritic" : j == bp ? "backprop" : j == frozen ? "frozen-feedback" : "no-feedback"))
                .And("c", coef.Take(k)).And("lambda_v", decay.Take(k))));
        var circuit = BuildCircuit(ctx, pop, "", [n.InputDim, n.Hidden, n.OutputDim], data, n.Batch, n.Lr, (net, streams) =>
            [PlasticFeedback<double>.Dendritic(net, streams, coef, decay, config.Rule.FeedbackStd), new CoupledL2<double>(net, Enumerable.Repeat(l2, p).ToArray())]);
        SymmetricStart(circuit.Net, Enumerable.Range(0, s).Select(si => si * k + bp));
        for (int si = 0; si < s; si++) circuit.Net.Linears.Last().Feedback!.SliceSpan(si * k + none).Clear();
        var meter = new ConsistencyMeter(p);
        meter.Attach(circuit.Stack, n.Steps - c.Window);
        Train(ctx, circuit, "consistency", n.Steps, config.ProbeEvery);
        var loss = circuit.Trainer.EvaluateLoss();
        for (int m = 0; m < p; m++)
        {
            pop.Log(n.Steps, circuit.Member(m), "train_loss", loss[m]);
            pop.Log(n.Steps, circuit.Member(m), "phi_hat", meter.Phi[m].Mean);
            pop.Log(n.Steps, circuit.Member(m), "dc_fraction", meter.Dc[m].Mean);
            pop.Log(n.Steps, circuit.Member(m), "update_gradient_cosine", meter.Cos[m].Mean);
        }
        ctx.Metrics.Flush();

        var bpLoss = Enumerable.Range(0, s).Select(si => loss[si * k + bp]).ToArray();
        var noneLoss = Enumerable.Range(0, s).Select(si => loss[si * k + none]).ToArray();
        string Label(int j) => j == bp ? "backprop" : j == frozen ? "frozen V" : j == none ? "no feedback" : $"c={Claim.Format(c.Coefficients[j])}, λ_V={Claim.Format(c.FeedbackDecays[j])}";
        string Row(int j) => $"{Label(j)}: " + string.Join(" | ", Enumerable.Range(0, s).Select(si =>
        {
            int m = si * k + j;
            return $"loss {Claim.Format(loss[m])} ({Claim.Format(loss[m] / bpLoss[si])}×BP), φ̂ {Claim.Format(meter.Phi[m].Mean)}, cos {Claim.Format(meter.Cos[m].Mean)}, DC {Claim.Format(meter.Dc[m].Mean)}";
        }));
        string table = string.Join("; ", Enumerable.Range(0, k).Select(Row)) + $" (seeds {ctx.Seed}..{ctx.Seed + s - 1} in order)";

        // Strong c > 0 rows: predicted φ = cλ/λ_V ≥ strong_phi. A weak row's φ̂ falls toward its heterosynaptic-
        // stability value (e.g. 0.03 for c = 0.3, λ_V = 1e-2, below the digest's 0.1) once W₂ settles, and it
        // learns at that small φ, so it is checked by sign and against the no-feedback control.
        double PredictedPhi(int j) => c.Coefficients[j] * l2 / c.FeedbackDecays[j];
        int[] Rows(Func<int, bool> keep) => Enumerable.Range(0, rules).Where(keep).ToArray();
        var positive = Rows(j => c.Coefficients[j] > 0);
        var negative = Rows(j => c.Coefficients[j] < 0);
        var strongPositive = Rows(j => PredictedPhi(j) >= c.StrongPhi);
        var weakPositive = Rows(j => PredictedPhi(j) > 0 && PredictedPhi(j) < c.StrongPhi);
        IEnumerable<int> Members(int[] conditions) => conditions.SelectMany(j => Enumerable.Range(0, s).Select(si => si * k + j));
        string Names(int[] conditions) => string.Join("; ", conditions.Select(Label));

        var claims = new List<Claim>
        {
            Claim.AtLeast("B-E1.descent-sign",
                "c > 0 (with V(0) small against the accumulated c·Σ h eᵀ): the consistency score φ̂ = ⟨V e, ∂ℓ/∂h⟩/‖∂ℓ/∂h‖² is positive for every c > 0 rule (smallest over c > 0 rules and seeds, mean of the last steps)",
                Members(positive).Min(m => meter.Phi[m].Mean), 0, table),
            Claim.AtLeast("B-E1.descent-alignment",
                "c > 0: the heterosynaptic update of W1 follows the gradient, cos(ΔW1, −∇W1) ≥ 0.5 (smallest over c > 0 rules and seeds)",
                Members(positive).Min(m => meter.Cos[m].Mean), 0.5),
            Claim.AtLeast("B-E1.dynamical-consistency",
                "c > 0: dynamical consistency, the fraction of hidden neurons with φ̂_i > 0 is ≥ 0.8 (smallest over c > 0 rules and seeds)",
                Members(positive).Min(m => meter.Dc[m].Mean), 0.8),
            Claim.AtMost("B-E1.ascent-phi",
                "c < 0: the sign of φ flips, φ̂ < −0.1 (largest over c < 0 rules and seeds)",
                Members(negative).Max(m => meter.Phi[m].Mean), -0.1),
            Claim.AtMost("B-E1.ascent-alignment",
                "c < 0: the update of W1 opposes the gradient, cos(ΔW1, −∇W1) ≤ −0.3 (largest over c < 0 rules and seeds)",
                Members(negative).Max(m => meter.Cos[m].Mean), -0.3),
            Claim.AtLeast("B-E1.ascent-loss",
                "c < 0: gradient ascent in the hidden layer, training loss ≥ 5× backprop (smallest ratio over c < 0 rules and seeds)",
                Members(negative).Min(m => loss[m] / bpLoss[m / k]), 5),
        };
        if (strongPositive.Length > 0)
        {
            claims.Add(Claim.AtLeast("B-E1.descent-phi",
                $"c > 0 with predicted φ = cλ/λ_V ≥ {Claim.Format(c.StrongPhi)} ({Names(strongPositive)}): φ̂ > 0.1 (smallest over those rules and seeds)",
                Members(strongPositive).Min(m => meter.Phi[m].Mean), 0.1));
            claims.Add(Claim.AtMost("B-E1.descent-loss",
                $"c > 0 with predicted φ = cλ/λ_V ≥ {Claim.Format(c.StrongPhi)} ({Names(strongPositive)}): learns like backprop, training loss ≤ 2× backprop (largest ratio over those rules and seeds)",
                Members(strongPositive).Max(m => loss[m] / bpLoss[m / k]), 2));
        }
        if (weakPositive.Length > 0)
            claims.Add(Claim.AtMost("B-E1.weak-descent-loss",
                $"c > 0 with small predicted φ < {Claim.Format(c.StrongPhi)} ({Names(weakPositive)}) learns slowly but its hidden layer still descends: loss below the no-feedback control V ≡ 0 (largest loss ratio over those rules and seeds)",
                Members(weakPositive).Max(m => loss[m] / noneLoss[m / k]), 1));

        var categories = Enumerable.Range(0, k).Select(Label).ToArray();
        var xs = Enumerable.Range(0, k).Select(j => (double)j).ToArray();
        double[] Mean(Func<int, double> f) => Enumerable.Range(0, k).Select(j => Enumerable.Range(0, s).Average(si => f(si * k + j))).ToArray();
        double[] Sd(Func<int, double> f) => Enumerable.Range(0, k).Select(j => Series.StandardDeviation(Enumerable.Range(0, s).Select(si => f(si * k + j)))).ToArray();
        ctx.Figures.Add(new Figure("consistency-score", "B-E1: φ̂, DC fraction and gradient alignment per rule", "bar", "rule", "value")
        {
            Categories = categories,
            Series =
            [
                new Series("φ̂", xs, Mean(m => meter.Phi[m].Mean)) { Spread = Sd(m => meter.Phi[m].Mean) },
                new Series("cos(ΔW1, −∇W1)", xs, Mean(m => meter.Cos[m].Mean)) { Spread = Sd(m => meter.Cos[m].Mean) },
                new Series("DC fraction", xs, Mean(m => meter.Dc[m].Mean)) { Spread = Sd(m => meter.Dc[m].Mean) },
            ],
            Caption = "Mean ± sd over seeds: c > 0 gives φ̂ > 0 and gradient-aligned updates; c < 0 flips both (gradient ascent in the hidden layer).",
        });
        ctx.Figures.Add(new Figure("consistency-loss", "B-E1: final loss relative to backprop", "bar", "rule", "loss / backprop loss")
        {
            Categories = categories,
            LogY = true,
            Series = [new Series("loss / BP", xs, Mean(m => loss[m] / bpLoss[m / k])) { Spread = Sd(m => loss[m] / bpLoss[m / k]) }],
            Caption = "Mean ± sd over seeds of the final full-data loss divided by the backprop member's (same seed, init and batches).",
        });
        return (claims, bpLoss);
    }

    // ---- B-E2: evolution on task loss finds φ > 0 rules ----

    private IReadOnlyList<Claim> RunEvolution(Config config, RunContext ctx)
    {
        var n = config.Network;
        var e = config.Evolution;
        double l2 = config.Rule.L2;
        int s = config.Seeds, q = e.Population, p = s * q;
        var data = TeacherData(n.InputDim, n.TeacherHidden, e.OutputDim, n.Samples, s, ctx, "evolution.data");
        int[] widths = [n.InputDim, e.Hidden, e.OutputDim];
        var genomeRng = Enumerable.Range(0, s).Select(si => ctx.SeedStream(si, "evolution.genome")).ToArray();
        var a = new double[p];
        var b = new double[p];
        for (int m = 0; m < p; m++)
        {
            a[m] = genomeRng[m / q].Normal();
            b[m] = genomeRng[m / q].Uniform(0, e.InitialBMax);
        }

        // References per seed: backprop (symmetric start), frozen random V, and the anti-rule a = −1.
        var refCoef = new double[3 * s];
        var refDecay = new double[3 * s];
        for (int si = 0; si < s; si++)
        {
            (refCoef[3 * si], refDecay[3 * si]) = (1, l2);
            (refCoef[3 * si + 1], refDecay[3 * si + 1]) = (0, 0);
            (refCoef[3 * si + 2], refDecay[3 * si + 2]) = (-1, e.InitialBMax / 2);
        }
        var refPop = ctx.Population("evolution.references", PopulationLayout.OfSeeds(s).With(
            ConditionAxis.Of("rule", ["backprop", "frozen-feedback", "anti-hebbian"]).And("c", refCoef.Take(3)).And("lambda_v", refDecay.Take(3))));
        var refs = BuildCircuit(ctx, refPop, "evolution.", widths, data, e.Batch, n.Lr, (net, streams) =>
            [PlasticFeedback<double>.Dendritic(net, streams, refCoef, refDecay, config.Rule.FeedbackStd), new CoupledL2<double>(net, Enumerable.Repeat(l2, 3 * s).ToArray())]);
        SymmetricStart(refs.Net, Enumerable.Range(0, s).Select(si => 3 * si));
        var (refFitness, refPhi) = Fitness(ctx, refs, e, "evolution.references", config.ProbeEvery);
        for (int m = 0; m < refFitness.Length; m++)
        {
            refPop.Log(e.Steps, refs.Member(m), "fitness", refFitness[m]);
            refPop.Log(e.Steps, refs.Member(m), "phi_hat", refPhi[m]);
        }
        var bpFit = Enumerable.Range(0, s).Select(si => refFitness[3 * si]).ToArray();
        var frozenFit = Enumerable.Range(0, s).Select(si => refFitness[3 * si + 1]).ToArray();
        var antiFit = Enumerable.Range(0, s).Select(si => refFitness[3 * si + 2]).ToArray();

        var fracPositive = new double[e.Generations][];
        var best = new double[e.Generations][];
        var median = new double[e.Generations][];
        var meanA = new double[e.Generations][];
        for (int gen = 0; gen < e.Generations; gen++)
        {
            var genA = (double[])a.Clone();
            var genB = (double[])b.Clone();
            var genPop = ctx.Population($"evolution.gen{gen}", PopulationLayout.OfSeeds(s).With("individual", Enumerable.Range(0, q)));
            var circuit = BuildCircuit(ctx, genPop, "evolution.", widths, data, e.Batch, n.Lr, (net, streams) =>
                [PlasticFeedback<double>.Dendritic(net, streams, genA, genB, config.Rule.FeedbackStd), new CoupledL2<double>(net, Enumerable.Repeat(l2, p).ToArray())]);
            var (fitness, phi) = Fitness(ctx, circuit, e, $"evolution.gen{gen}", config.ProbeEvery);
            fracPositive[gen] = new double[s];
            best[gen] = new double[s];
            median[gen] = new double[s];
            meanA[gen] = new double[s];
            for (int si = 0; si < s; si++)
            {
                var mine = Enumerable.Range(si * q, q).ToArray();
                fracPositive[gen][si] = mine.Count(m => phi[m] > 0) / (double)q;
                var sorted = mine.Select(m => fitness[m]).Order().ToArray();
                best[gen][si] = sorted[0];
                median[gen][si] = q % 2 == 1 ? sorted[q / 2] : (sorted[q / 2 - 1] + sorted[q / 2]) / 2;
                meanA[gen][si] = mine.Average(m => genA[m]);
                foreach (int m in mine)
                {
                    genPop.Log(gen, circuit.Member(m), "fitness", fitness[m]);
                    genPop.Log(gen, circuit.Member(m), "phi_hat", phi[m]);
                    genPop.Log(gen, circuit.Member(m), "genome_a", genA[m]);
                    genPop.Log(gen, circuit.Member(m), "genome_b", genB[m]);
                }
                // Selection on task loss alone: the elites survive and each fills its share with mutated copies.
                var elites = mine.OrderBy(m => fitness[m]).Take(e.Elites).ToArray();
                int share = q / e.Elites;
                for (int r = 0; r < e.Elites; r++)
                    for (int j = 0; j < share; j++)
                    {
                        int child = si * q + r * share + j;
                        bool copy = j == 0;
                        a[child] = genA[elites[r]] + (copy ? 0 : e.MutationA * genomeRng[si].Normal());
                        // b is a decay: kept ≥ 0.
                        b[child] = Math.Max(0, genB[elites[r]] + (copy ? 0 : e.MutationB * genomeRng[si].Normal()));
                    }
            }
            ctx.Metrics.Flush();
        }
        int g5 = e.CheckGeneration;
        var bestRatio = Enumerable.Range(0, s).Select(si => best[g5][si] / bpFit[si]).ToArray();
        var medianRatio = Enumerable.Range(0, s).Select(si => median[g5][si] / frozenFit[si]).ToArray();
        string refs3 = $"references (fitness) — backprop {string.Join(", ", bpFit.Select(Claim.Format))}; frozen V {string.Join(", ", frozenFit.Select(Claim.Format))}; a=−1 {string.Join(", ", antiFit.Select(Claim.Format))}";
        string History(double[][] v) => string.Join("; ", Enumerable.Range(0, s).Select(si => $"seed {ctx.Seed + si}: [" + string.Join(", ", Enumerable.Range(0, e.Generations).Select(gen => Claim.Format(v[gen][si]))) + "]"));

        var gens = Enumerable.Range(0, e.Generations).Select(gen => (double)gen).ToArray();
        var fracFig = new Figure("evolution-phi", "B-E2: fraction of rules with φ̂ > 0", "line", "generation", "fraction φ̂ > 0")
        { Caption = "Selection on task loss alone removes the φ < 0 rules within a few generations." };
        var fitFig = new Figure("evolution-fitness", "B-E2: best and median fitness per generation", "line", "generation", "loss")
        { LogY = true, Caption = "The best evolved rule reaches backprop's loss; horizontal lines are backprop and frozen feedback." };
        for (int si = 0; si < s; si++)
        {
            fracFig.Series.Add(new Series($"seed {ctx.Seed + si}", gens, gens.Select(gen => fracPositive[(int)gen][si]).ToArray()));
            fitFig.Series.Add(new Series($"best, seed {ctx.Seed + si}", gens, gens.Select(gen => best[(int)gen][si]).ToArray()));
            fitFig.Series.Add(new Series($"median, seed {ctx.Seed + si}", gens, gens.Select(gen => median[(int)gen][si]).ToArray()));
        }
        fitFig.Series.Add(new Series($"backprop, seed {ctx.Seed}", [0, e.Generations - 1], [bpFit[0], bpFit[0]]));
        fitFig.Series.Add(new Series($"frozen V, seed {ctx.Seed}", [0, e.Generations - 1], [frozenFit[0], frozenFit[0]]));
        ctx.Figures.Add(fracFig);
        ctx.Figures.Add(fitFig);
        return
        [
            Claim.AtLeast("B-E2.phi-positive",
                $"Evolution over (a, b) of ΔV = −η(a·h eᵀ + b V), selected on task loss only: by generation {g5} ≥ 90% of the population has measured φ̂ > 0 (worst seed)",
                Enumerable.Range(0, s).Min(si => fracPositive[g5][si]), 0.9, $"fraction φ̂ > 0 per generation — {History(fracPositive)}; mean a per generation — {History(meanA)}"),
            Claim.AtMost("B-E2.best-loss",
                $"By generation {g5} the best evolved rule learns like backprop: best fitness ≤ 1.2× backprop's (worst seed)",
                bestRatio.Max(), 1.2, $"{SeedList(ctx, bestRatio)}; best per generation — {History(best)}; {refs3}"),
            Claim.AtMost("B-E2.median-loss",
                $"By generation {g5} the median rule beats frozen random feedback: median fitness / frozen-V fitness < 1 (worst seed)",
                medianRatio.Max(), 1, $"{SeedList(ctx, medianRatio)}; median per generation — {History(median)}"),
        ];
    }

    /// <summary>Trains a circuit for the evolution's step count; fitness = mean batch loss and φ̂ = mean consistency over the final window.</summary>
    private static (double[] Fitness, double[] Phi) Fitness(RunContext ctx, Circuit circuit, EvolutionConfig e, string phase, int probeEvery)
    {
        int p = circuit.Net.Members;
        var meter = new ConsistencyMeter(p);
        meter.Attach(circuit.Stack, e.Steps - e.FitnessWindow);
        var fitness = Enumerable.Range(0, p).Select(_ => new StepAverage()).ToArray();
        var t = circuit.Trainer;
        ctx.Time("evolution", () =>
        {
            while (t.Step < e.Steps)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                t.StepOnce();
                if (t.Step > e.Steps - e.FitnessWindow)
                    for (int m = 0; m < p; m++) fitness[m].Add(t.LastLoss[m]);
                if (t.Step % probeEvery == 0) ctx.Progress.Report($"heterosynaptic {phase}", t.Step, e.Steps);
            }
            return 0;
        });
        return (fitness.Select(f => f.Mean).ToArray(), meter.Phi.Select(f => f.Mean).ToArray());
    }

    // ---- B-E3: metaplasticity ----

    private IReadOnlyList<Claim> RunMetaplasticity(Config config, RunContext ctx, TrainingData<double> data)
    {
        var n = config.Network;
        var mp = config.Metaplasticity;
        double l2 = config.Rule.L2;
        // Three copies per seed (members 3i, 3i+1, 3i+2) share init, V(0) and batches, so they are identical after
        // the common history: copy 1 is then left alone, copy 2 is primed by an inverted teaching signal with
        // the same rule, copy 3 gets the digest's history (the rule itself flipped to c = history_coefficient).
        const int copies = 3;
        int s = config.Seeds, p = copies * s;
        PlasticFeedback<double>? rule = null;
        var pop = ctx.Population("metaplasticity", PopulationLayout.OfSeeds(s).With("copy", ["plain", "primed", "rule-flip"]));
        var circuit = BuildCircuit(ctx, pop, "", [n.InputDim, n.Hidden, n.OutputDim], data, n.Batch, n.Lr, (net, streams) =>
            [rule = PlasticFeedback<double>.Dendritic(net, streams, Enumerable.Repeat(1.0, p).ToArray(), Enumerable.Repeat(config.Rule.FeedbackDecay, p).ToArray(), config.Rule.FeedbackStd),
             new CoupledL2<double>(net, Enumerable.Repeat(l2, p).ToArray())]);
        Train(ctx, circuit, "metaplasticity.common", mp.TrainSteps, config.ProbeEvery);

        bool history = false;
        var weights = circuit.Net.Parameters.Where(prm => prm.Role == ParameterRole.Weight).ToArray();
        circuit.Trainer.AfterBackward.Add(_ =>
        {
            // During the history only V changes in copies 2 and 3: their forward weights get no update.
            if (!history) return;
            for (int si = 0; si < s; si++)
                for (int copy = 1; copy < copies; copy++)
                    foreach (var w in weights) w.Grad.SliceSpan(copies * si + copy).Clear();
        });
        history = true;
        var targets = circuit.Trainer.Data.Targets;
        for (int si = 0; si < s; si++)
        {
            circuit.Trainer.Optimizer.LearningRate[copies * si] = 0;
            var primed = targets.SliceSpan(copies * si + 1);
            for (int i = 0; i < primed.Length; i++) primed[i] = -primed[i];
            rule!.Coefficient[copies * si + 2] = mp.HistoryCoefficient;
        }
        Train(ctx, circuit, "metaplasticity.history", mp.HistorySteps, config.ProbeEvery);

        // The same probe event (x0, e0) for every copy: ΔW1 = −((V e0) ⊙ f'(a(x0))) x0ᵀ, with identical x0 and a(x0).
        var net = circuit.Net;
        var x0 = new Tensor<double>(p, 1, n.InputDim);
        var e0 = new Tensor<double>(p, 1, n.OutputDim);
        for (int si = 0; si < s; si++)
        {
            var probe = ctx.SeedStream(si, "metaplasticity.probe");
            var x = new double[n.InputDim];
            var err = new double[n.OutputDim];
            for (int i = 0; i < x.Length; i++) x[i] = probe.Normal();
            for (int i = 0; i < err.Length; i++) err[i] = probe.Normal() / Math.Sqrt(n.OutputDim);
            for (int copy = 0; copy < copies; copy++) { x.CopyTo(x0.SliceSpan(copies * si + copy)); err.CopyTo(e0.SliceSpan(copies * si + copy)); }
        }
        net.Forward(x0);
        net.Backward(e0);
        var w1 = net.Linears.First().Weight.Grad;
        (double Cos, double Ratio, double Contrast) Compare(int si, int copy)
        {
            var d1 = w1.SliceSpan(copies * si);
            var d2 = w1.SliceSpan(copies * si + copy);
            double cos = MatrixAlignment.FrobeniusCosine(d1, d2);
            double ratio = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(d2) / System.Numerics.Tensors.TensorPrimitives.SumOfSquares(d1));
            // Opposite (cos ≤ −0.5) or ≥ 2× different in size either way ⇔ contrast ≥ 1.
            return (cos, ratio, Math.Max(-cos / 0.5, Math.Max(ratio, 1 / ratio) / 2));
        }
        var primedResult = Enumerable.Range(0, s).Select(si => Compare(si, 1)).ToArray();
        var flippedResult = Enumerable.Range(0, s).Select(si => Compare(si, 2)).ToArray();
        long end = mp.TrainSteps + mp.HistorySteps;
        for (int si = 0; si < s; si++)
        {
            pop.Log(end, pop.Layout.Member(si, 1), "probe_update_cosine", primedResult[si].Cos);
            pop.Log(end, pop.Layout.Member(si, 1), "probe_update_norm_ratio", primedResult[si].Ratio);
            pop.Log(end, pop.Layout.Member(si, 2), "probe_update_cosine", flippedResult[si].Cos);
            pop.Log(end, pop.Layout.Member(si, 2), "probe_update_norm_ratio", flippedResult[si].Ratio);
        }
        ctx.Metrics.Flush();
        var seeds = Enumerable.Range(0, s).Select(si => (double)si).ToArray();
        // Cosines (in [−1, 1]) and norm ratios (up to ≈ 40) get a figure each: on one axis the cosines would be invisible.
        string[] seedNames = Enumerable.Range(0, s).Select(si => $"seed {ctx.Seed + si}").ToArray();
        string flippedLabel = $"rule flipped to c={Claim.Format(mp.HistoryCoefficient)}";
        ctx.Figures.Add(new Figure("metaplasticity-cosine", "B-E3: direction of the update after two histories of V", "bar", "seed", "cos(ΔW1 primed, ΔW1 plain)")
        {
            Categories = seedNames,
            Series =
            [
                new Series("primed by inverted teaching", seeds, primedResult.Select(r => r.Cos).ToArray()),
                new Series(flippedLabel, seeds, flippedResult.Select(r => r.Cos).ToArray()),
            ],
            Caption = "Identical pre- and postsynaptic activity and the same rule: a history of inverted teaching changes the update of W1 (cos ≤ −0.5 is an opposite update).",
        });
        ctx.Figures.Add(new Figure("metaplasticity-norm", "B-E3: size of the update after two histories of V", "bar", "seed", "‖ΔW1 primed‖ / ‖ΔW1 plain‖")
        {
            Categories = seedNames,
            LogY = true,
            Series =
            [
                new Series("primed by inverted teaching", seeds, primedResult.Select(r => r.Ratio).ToArray()),
                new Series(flippedLabel, seeds, flippedResult.Select(r => r.Ratio).ToArray()),
            ],
            Caption = "A ratio ≥ 2 or ≤ 0.5 is a different update for the same event (log scale).",
        });
        string Details((double Cos, double Ratio, double Contrast)[] r) =>
            string.Join("; ", Enumerable.Range(0, s).Select(si => $"seed {ctx.Seed + si}: cos {Claim.Format(r[si].Cos)}, norm ratio {Claim.Format(r[si].Ratio)}"));
        return
        [
            Claim.AtLeast("B-E3.metaplasticity",
                $"Metaplasticity: after {mp.TrainSteps} common steps (c = +1), copy 2's V alone experiences {mp.HistorySteps} steps of an inverted teaching signal (targets −y) under the same rule; the same probe event (x0, e0), with identical pre- and postsynaptic activity, then gives an opposite (cos ≤ −0.5) or ≥ 2× different update of W1 than in the unprimed copy: contrast max(−cos/0.5, max(ρ, 1/ρ)/2) ≥ 1 (worst seed) [protocol not calibrated, docs/experiments/heterosynaptic.md#b-e3metaplasticity]",
                primedResult.Min(r => r.Contrast), 1,
                $"primed — {Details(primedResult)}. Digest's history (V-only steps with the rule flipped to c = {Claim.Format(mp.HistoryCoefficient)} at the trained weights, where the pairing h eᵀ is only of the size of the decay force λW₂, so V moves ~ηλ|c| per step) — {Details(flippedResult)}"),
        ];
    }

    // ---- B-E4: flexibility across topologies ----

    private IReadOnlyList<Claim> RunTopology(Config config, RunContext ctx, TrainingData<double> data, double[] bpLoss)
    {
        var n = config.Network;
        var tp = config.Topology;
        int s = config.Seeds;
        var results = new List<(string Label, double Density, double[] Drop, double[] Phi, double[] Ratio)>();
        foreach (bool forward in new[] { false, true })
        {
            var densities = forward ? tp.Densities.Where(d => d < 1).ToArray() : tp.Densities;
            if (densities.Length == 0) continue;
            int k = densities.Length, p = k * s;
            var rule = config.Rule.Clone();
            rule.MaskForward = forward;
            var perMember = new RuleConfig.PerMember { Density = Enumerable.Range(0, p).Select(m => densities[m % k]).ToArray() };
            string phase = forward ? "topology.feedback+forward" : "topology.feedback";
            var layout = PopulationLayout.OfSeeds(s).With("density", densities);
            var circuit = BuildCircuit(ctx, ctx.Population(phase, layout), "", [n.InputDim, n.Hidden, n.OutputDim], data, n.Batch, n.Lr,
                (net, streams) => rule.Build(net, streams, perMember).Rules);
            var meter = new ConsistencyMeter(p);
            meter.Attach(circuit.Stack, n.Steps - config.Consistency.Window);
            var initial = circuit.Trainer.EvaluateLoss();
            Train(ctx, circuit, phase, n.Steps, config.ProbeEvery);
            var loss = circuit.Trainer.EvaluateLoss();
            // A sparse W1 has fewer parameters: its learning is judged against backprop on the same masked network
            // (same mask streams, so the same masks); a sparse V alone leaves the forward network intact.
            var bpReference = Enumerable.Range(0, p).Select(m => bpLoss[m / k]).ToArray();
            if (forward)
            {
                var bpRule = new RuleConfig { Name = "backprop", MaskForward = true, L2 = config.Rule.L2 };
                var bp = BuildCircuit(ctx, ctx.Population("topology.backprop-forward-masked", layout), "", [n.InputDim, n.Hidden, n.OutputDim], data, n.Batch, n.Lr,
                    (net, streams) => bpRule.Build(net, streams, perMember).Rules);
                Train(ctx, bp, "topology.backprop-forward-masked", n.Steps, config.ProbeEvery);
                bpReference = bp.Trainer.EvaluateLoss();
            }
            for (int j = 0; j < k; j++)
            {
                var members = Enumerable.Range(0, s).Select(si => si * k + j).ToArray();
                results.Add(($"{(forward ? "V and W1" : "V")} at p={Claim.Format(densities[j])}", densities[j],
                    members.Select(m => (initial[m] - loss[m]) / initial[m]).ToArray(),
                    members.Select(m => meter.Phi[m].Mean).ToArray(),
                    members.Select(m => loss[m] / bpReference[m]).ToArray()));
                foreach (int m in members)
                {
                    circuit.Pop.Log(n.Steps, circuit.Member(m), "train_loss", loss[m]);
                    circuit.Pop.Log(n.Steps, circuit.Member(m), "phi_hat", meter.Phi[m].Mean);
                }
            }
            ctx.Metrics.Flush();
        }
        string table = string.Join("; ", results.Select(r => $"{r.Label}: loss drop {string.Join(", ", r.Drop.Select(Claim.Format))}, φ̂ {string.Join(", ", r.Phi.Select(Claim.Format))}, loss/BP {string.Join(", ", r.Ratio.Select(Claim.Format))}"));
        var reference = results.Where(r => r.Density == tp.ReferenceDensity).ToArray();
        var idx = results.Select((_, i) => (double)i).ToArray();
        ctx.Figures.Add(new Figure("topology", $"B-E4: sparse connectivity, rule {config.Rule.Name}", "bar", "connectivity", "value")
        {
            Categories = results.Select(r => r.Label).ToArray(),
            Series =
            [
                new Series("loss drop", idx, results.Select(r => r.Drop.Average()).ToArray()) { Spread = results.Select(r => Series.StandardDeviation(r.Drop)).ToArray() },
                new Series("φ̂", idx, results.Select(r => r.Phi.Average()).ToArray()) { Spread = results.Select(r => Series.StandardDeviation(r.Phi)).ToArray() },
                new Series("loss / BP", idx, results.Select(r => r.Ratio.Average()).ToArray()) { Spread = results.Select(r => Series.StandardDeviation(r.Ratio)).ToArray() },
            ],
            Caption = "Mean ± sd over seeds: sparse, randomly initialised (amorphous) feedback still gives φ̂ > 0 and learning; loss / BP is against backprop on the same forward network.",
        });
        var claims = new List<Claim>
        {
            Claim.AtLeast("B-E4.learns",
                $"Rule '{config.Rule.Name}' with random (amorphous) V(0) and sparse masks on V, or on V and W1, at densities {string.Join(", ", tp.Densities.Select(Claim.Format))}: training loss drops ≥ 70% from its initial value (smallest over conditions and seeds)",
                results.Min(r => r.Drop.Min()), 0.7, table),
            Claim.AtLeast("B-E4.phi",
                "Sparse feedback stays consistent: φ̂ > 0 in every condition (smallest over conditions and seeds)",
                results.Min(r => r.Phi.Min()), 0),
        };
        if (reference.Length > 0)
            claims.Add(Claim.AtMost("B-E4.half-density-loss",
                $"At density p={Claim.Format(tp.ReferenceDensity)} the loss is ≤ 2× backprop on the same forward network (largest over mask variants and seeds)",
                reference.Max(r => r.Ratio.Max()), 2));
        return claims;
    }
}
