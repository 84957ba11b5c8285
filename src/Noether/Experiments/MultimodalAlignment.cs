using Noether.Data;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Tjandrasuwita, Ekbote, Ziyin, Liang — "Understanding the Emergence of Multimodal Representation Alignment"
/// (arXiv 2502.16282; docs/experiments/multimodal-alignment.md).
/// Two modalities share 8 latent bits and each has 4 of its own; the label depends on R shared bits and
/// U = 8 − R unique ones (exact generator of docs/experiments/multimodal-alignment.md#generator, with I(X1,X2;Y) the same at every R), and modality 2
/// passes through a random tanh map of depth D_φ. Unimodal MLP encoders are trained separately; their
/// alignment is the maximum over layer pairs of unbiased linear CKA and of mutual k-NN (k = 100 on 512
/// test rows, docs/experiments/multimodal-alignment.md#alignment).
/// Headline 1: the maximum alignment falls as U rises (Spearman ≤ −0.9; ≥ 0.7 at U = 0, ≤ 0.05 at U = 8,
/// mutual k-NN at chance at U = 8) and, at U = 0, as heterogeneity D_φ rises (Spearman ≤ −0.9). Headline 2:
/// alignment tracks the encoder's accuracy only with redundancy (the paper's within-depth Pearson ≥ 0.4 at
/// U = 0, and at least 0.28 above its value at U = 8, while accuracy still varies at U = 8)
/// (docs/experiments/multimodal-alignment.md#claims-checked; thresholds from the paper's Fig 7 and Fig 11).
/// Each population member is one seed (run seed + i) with its own W, φ draws, data and initialisations;
/// as the calibration notes require, every claim is applied to the mean over members, each listed.
/// Quick protocol (docs/experiments/multimodal-alignment.md#deviations): a reduced one (E1 depth 1; E2 depths {1,2,4}; D_φ {1,4,8}; U {0,2,4,6,8}; Adam
/// lr 1e-2, no decay, batch 512, ≈ 360 steps per encoder) but with the paper's 45 875 training samples
/// instead of 8 192: on 8 192 samples both encoders fit the same chance correlations between the
/// label-irrelevant shared bits and the labels of the small training set, which left max uCKA at U = 8
/// at 0.054–0.062 (seeds 1–3); with the paper's size it is ≈ 0.01, the paper's value (Fig 6).
/// </summary>
public sealed partial class MultimodalAlignment : Experiment<MultimodalAlignment.Config>
{
    public override string Id => "multimodal-alignment";
    public override string Title => "Multimodal alignment emerges only with redundancy";
    public override Paper Paper => new("Understanding the Emergence of Multimodal Representation Alignment",
        "Megan Tjandrasuwita, Chanakya Ekbote, Liu Ziyin, Paul Pu Liang", "2502.16282");
    public override string Summary => "max alignment (unbiased CKA, mutual k-NN) of unimodal encoders falls with uniqueness U and heterogeneity D_φ; alignment predicts accuracy within a D_φ at U=0 but not at U=8; I(X1,X2;Y) identical for every R";

    public sealed class Config : TrainedConfig, IValidatedConfig
    {
        public override IReadOnlyList<(string Key, string Why)> Unhonoured =>
            [("probes.", "its encoders of several members share one trainer in an order of their own, so no trainer is handed to the probes; use --export features and noether metric")];

        /// <summary>The paper's optimiser, AdamW, by default; optimizer.name chooses another for every encoder.</summary>
        public Config() => Optimizer = new OptimizerConfig { Name = "adamw" };

        public DataConfig Data { get; set; } = new();
        public TrainConfig Train { get; set; } = new();
        public AlignConfig Align { get; set; } = new();
        [Param("population members, one seed each (run seed + i) with its own W, φ draws, data and initialisations", Min = 1, Max = 64)]
        public int Seeds { get; set; } = 3;
        [Param("uniqueness levels U = S − R to train at (must include 0 and data.shared_bits)", Min = 0, Max = 16)]
        public int[] Uniqueness { get; set; } = [0, 2, 4, 6, 8];
        [Param("heterogeneity depths D_φ of the tanh map applied to modality 2", Min = 0, Max = 20)]
        public int[] HeterogeneityDepths { get; set; } = [1, 4, 8];
        [Param("hidden layers of the modality-2 encoders E2 (one encoder per depth)", Min = 1, Max = 20)]
        public int[] EncoderDepths { get; set; } = [1, 2, 4];
        [Param("hidden layers of the fixed modality-1 encoder E1 (the paper's fixed_depth)", Min = 1, Max = 20)]
        public int FixedEncoderDepth { get; set; } = 1;

        public void Validate()
        {
            if (!Uniqueness.Contains(0) || !Uniqueness.Contains(Data.SharedBits))
                throw new ConfigException($"uniqueness=[{string.Join(",", Uniqueness)}]: must include 0 and data.shared_bits ({Data.SharedBits}); the claims compare those two ends");
            if (Uniqueness.Distinct().Count() < 3)
                throw new ConfigException($"uniqueness=[{string.Join(",", Uniqueness)}]: need at least 3 distinct levels for a rank correlation");
            if (Uniqueness.Any(u => u > Data.SharedBits))
                throw new ConfigException($"uniqueness=[{string.Join(",", Uniqueness)}]: every U must be at most data.shared_bits ({Data.SharedBits})");
            if (HeterogeneityDepths.Length * EncoderDepths.Length < 3)
                throw new ConfigException($"heterogeneity_depths × encoder_depths = {HeterogeneityDepths.Length * EncoderDepths.Length} configurations: need at least 3 to correlate alignment with accuracy");
            if (Align.Samples > Data.TestSamples)
                throw new ConfigException($"align.samples={Align.Samples}: expected at most data.test_samples ({Data.TestSamples})");
            if (Align.K >= Align.Samples)
                throw new ConfigException($"align.k={Align.K}: expected less than align.samples ({Align.Samples})");
            Train.RequireEntries(Data.SharedBits + 1);
            if (Train.BatchSize > Data.TrainSamples)
                throw new ConfigException($"train.batch_size={Train.BatchSize}: expected at most data.train_samples ({Data.TrainSamples})");
        }
    }

    /// <summary>Generator sizes (docs/experiments/multimodal-alignment.md#generator) and the split.</summary>
    public sealed class DataConfig : IValidatedConfig
    {
        [Param("shared bits S, also the number of label-relevant bits F = R + U", Min = 2, Max = 12)] public int SharedBits { get; set; } = 8;
        [Param("unique bits per modality Q (need 2Q ≥ S)", Min = 1, Max = 6)] public int UniqueBits { get; set; } = 4;
        [Param("classes C", Min = 2, Max = 32)] public int Classes { get; set; } = 4;
        [Param("softmax temperature T of the label rule", Min = 1e-4, Max = 100)] public double Temperature { get; set; } = 0.05;
        [Param("training samples (the paper's 70% of 65 536)", Min = 16)] public int TrainSamples { get; set; } = 45875;
        [Param("test samples (accuracy; the first align.samples rows also give the alignment)", Min = 16)] public int TestSamples { get; set; } = 9831;

        public void Validate()
        {
            if (2 * UniqueBits < SharedBits)
                throw new ConfigException($"data.unique_bits={UniqueBits}: expected at least half of data.shared_bits ({SharedBits}) so that R = 0 has enough unique bits");
            if (SharedBits + 2 * UniqueBits > 20)
                throw new ConfigException($"data.shared_bits + 2·data.unique_bits = {SharedBits + 2 * UniqueBits}: expected at most 20 latent bits (the exact information sums over all 2^bits patterns)");
        }
    }

    /// <summary>
    /// Encoders and optimiser (docs/experiments/multimodal-alignment.md#encoders-and-training): AdamW with a learning rate and weight decay per redundancy level R (one
    /// entry per R = 0..S), batch 512, fixed epochs and no early stopping. Quick: the reduced protocol of docs/experiments/multimodal-alignment.md#encoders-and-training
    /// (lr 1e-2, no decay for every encoder). Full: the paper's tuned values (repo hyp/rus_prob).
    /// </summary>
    public sealed class TrainConfig
    {
        [Param("epochs of each modality-2 encoder E2", Min = 1)] public int Epochs { get; set; } = 4;
        [Param("epochs of the modality-1 encoder E1", Min = 1)] public int FixedEpochs { get; set; } = 4;
        [Param("mini-batch size", Min = 1)] public int BatchSize { get; set; } = 512;
        [Param("AdamW learning rate of E2, one entry per R = 0, 1, …, S", Min = 0, Max = 10)]
        public double[] Lr { get; set; } = [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01];
        [Param("AdamW decoupled weight decay of E2, one entry per R = 0, 1, …, S", Min = 0, Max = 10)]
        public double[] WeightDecay { get; set; } = [0, 0, 0, 0, 0, 0, 0, 0, 0];
        [Param("AdamW learning rate of E1, one entry per R = 0, 1, …, S", Min = 0, Max = 10)]
        public double[] FixedLr { get; set; } = [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01];
        [Param("AdamW decoupled weight decay of E1, one entry per R = 0, 1, …, S", Min = 0, Max = 10)]
        public double[] FixedWeightDecay { get; set; } = [0, 0, 0, 0, 0, 0, 0, 0, 0];
        [Param("width of every hidden layer (the paper uses the input width 12)", Min = 1, Max = 4096)] public int Width { get; set; } = 12;
        [Param("LeakyReLU negative slope", Min = 0, Max = 1)] public double LeakySlope { get; set; } = 0.1;

        /// <summary>The per-R tables need one entry per redundancy level R = 0..S (checked by the parent, which knows S).</summary>
        public void RequireEntries(int levels)
        {
            foreach (var (key, table) in new[] { ("lr", Lr), ("weight_decay", WeightDecay), ("fixed_lr", FixedLr), ("fixed_weight_decay", FixedWeightDecay) })
                if (table.Length != levels)
                    throw new ConfigException($"train.{key} has {table.Length} entries: expected one per redundancy R = 0..data.shared_bits ({levels})");
        }
    }

    /// <summary>Alignment measurement (docs/experiments/multimodal-alignment.md#alignment).</summary>
    public sealed class AlignConfig
    {
        [Param("first test rows the alignment is measured on", Min = 8)] public int Samples { get; set; } = 512;
        [Param("neighbours k of mutual k-NN", Min = 1)] public int K { get; set; } = 100;
    }

    protected override Config Profile(string profile) => profile == "full"
        ? new Config
        {
            // The paper's depth grids (D_φ 1..10, E2 depths 1..10, every U) and tuned per-R learning rates and
            // weight decays (hyp/rus_prob: E2 lr 1e-2 without decay but 1e-4 at R = 5; E1 varies). Epochs: the
            // paper trains E1 for 50 and E2 for 300 with best-validation checkpoints; E2 gets 50 here, which
            // already makes this a run of hours on 2 cores.
            Uniqueness = [0, 1, 2, 3, 4, 5, 6, 7, 8],
            HeterogeneityDepths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            EncoderDepths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            Train = new TrainConfig
            {
                Epochs = 50,
                FixedEpochs = 50,
                WeightDecay = [0, 0, 0, 0, 0, 1e-4, 0, 0, 0],
                FixedLr = [0.005, 0.001, 0.005, 0.01, 0.005, 0.01, 0.005, 0.005, 0.001],
                FixedWeightDecay = [0.1, 1e-4, 0.1, 1e-3, 0.1, 1e-3, 0.1, 0.1, 1e-4],
            },
        }
        : new Config();

    /// <summary>Results of one uniqueness level: [member][D_φ index][E2 depth index].</summary>
    private sealed record LevelResult(int U, double[] FixedAccuracy, double[][][] Cka, double[][][] Knn, double[][][] Accuracy);

    protected override IReadOnlyList<Claim> Run(Config config, RunContext ctx)
    {
        int p = config.Seeds;
        var spec = new MultimodalRedundancySpec(config.Data.SharedBits, config.Data.UniqueBits, config.Data.Classes, config.Data.Temperature);
        var generators = Enumerable.Range(0, p).Select(s => new MultimodalRedundancy(spec, ctx.SeedStream(s, "generator"))).ToArray();
        var latent = generators.Select(g => g.SampleLatent(config.Data.TrainSamples + config.Data.TestSamples)).ToArray();

        var information = ctx.Time("information", () => generators.Select(g =>
            Enumerable.Range(0, spec.SharedBits + 1).Select(g.Information).ToArray()).ToArray());
        // Phases: the information rows, then one per uniqueness level (a resumed run re-runs the level it was stopped in from its start).
        ctx.Phase("information", _ =>
        {
            var info = ctx.Population("information", PopulationLayout.OfSeeds(p).With("redundancy", Enumerable.Range(0, spec.SharedBits + 1)));
            for (int m = 0; m < info.Count; m++)
            {
                var (s, r) = (info.SeedIndex(m), info.Layout.Index(m, "redundancy"));
                info.Log(0, m, "I(X1,X2;Y)", information[s][r].Joint);
                info.Log(0, m, "I(X1;Y)", information[s][r].Modality1);
                info.Log(0, m, "I(X2;Y)", information[s][r].Modality2);
            }
            return 0;
        });

        // The modalities do not depend on R (only the labels do): build and standardise them once.
        int nd = config.HeterogeneityDepths.Length, nTrain = config.Data.TrainSamples;
        var fixedFeatures = new (Tensor<double> Train, Tensor<double> Test)[p];
        var hetFeatures = new (Tensor<double> Train, Tensor<double> Test)[p * nd];
        ctx.Time("data", () =>
        {
            for (int m = 0; m < p; m++)
            {
                fixedFeatures[m] = Standardized(generators[m].Modality(1, latent[m], new int[latent[m].Length], null, "modality1"), nTrain);
                for (int d = 0; d < nd; d++)
                    hetFeatures[m * nd + d] = Standardized(generators[m].Modality(2, latent[m], new int[latent[m].Length], config.HeterogeneityDepths[d], "modality2"), nTrain);
            }
            return 0;
        });

        var (fixedInputs, hetInputs) = (ModalityInputs.Of(fixedFeatures, config.Align.Samples), ModalityInputs.Of(hetFeatures, config.Align.Samples));
        var levels = new List<LevelResult>();
        int[] us = config.Uniqueness.Distinct().Order().ToArray();
        var e1Pop = ctx.Population("e1", PopulationLayout.OfSeeds(p).With("uniqueness", us));
        var e2Pop = ctx.Population("e2", PopulationLayout.OfSeeds(p).With("uniqueness", us).With("depth", config.EncoderDepths).With("d_phi", config.HeterogeneityDepths));
        // One phase per level: E1, then the E2 encoders, and their alignment (MultimodalAlignment.Encoders.cs).
        for (int ui = 0; ui < us.Length; ui++)
            levels.Add(ctx.Phase($"level.U{us[ui]}", _ => RunLevel(ui, e1Pop, e2Pop, config, generators, latent, fixedInputs, hetInputs, ctx)));

        Declare(config, levels, ctx);
        return Claims(config, levels, information, ctx);
    }

    /// <summary>
    /// Cuts the first <paramref name="train"/> rows as the training set and z-scores both parts with its statistics
    /// (docs/experiments/multimodal-alignment.md#generator). The samples are iid, so a contiguous cut is a random split.
    /// </summary>
    private static (Tensor<double> Train, Tensor<double> Test) Standardized(Dataset all, int train)
    {
        var trainSet = all.Subset(Enumerable.Range(0, train).ToArray(), all.Name + "/train");
        var testSet = all.Subset(Enumerable.Range(train, all.Count - train).ToArray(), all.Name + "/test");
        var scaler = FeatureScaler.Standardize(trainSet);
        return (scaler.Apply(trainSet).Features, scaler.Apply(testSet).Features);
    }

    // ---- claims (docs/experiments/multimodal-alignment.md#claims-checked pass criteria; every threshold applied to the mean over members) ----

    private static IReadOnlyList<Claim> Claims(Config config, List<LevelResult> levels, MultimodalInformation[][] information, RunContext ctx)
    {
        int p = config.Seeds, s = config.Data.SharedBits;
        var first = levels.First(l => l.U == 0);
        var last = levels.First(l => l.U == s);
        double[] us = levels.Select(l => (double)l.U).ToArray();

        double[] MaxCka(LevelResult l) => Enumerable.Range(0, p).Select(m => Flat(l.Cka[m]).Max()).ToArray();
        double[] MaxKnn(LevelResult l) => Enumerable.Range(0, p).Select(m => Flat(l.Knn[m]).Max()).ToArray();
        double[] PerMember(LevelResult l, Func<double[], double[], double> stat) =>
            Enumerable.Range(0, p).Select(m => stat(Flat(l.Accuracy[m]), Flat(l.Cka[m]))).ToArray();

        var ckaCurve = Enumerable.Range(0, p).Select(m => levels.Select(l => Flat(l.Cka[m]).Max()).ToArray()).ToArray();
        var knnCurve = Enumerable.Range(0, p).Select(m => levels.Select(l => Flat(l.Knn[m]).Max()).ToArray()).ToArray();
        var spearman = ckaCurve.Select(c => MatrixAlignment.SpearmanAlpha(us, c)).ToArray();
        var pearson = ckaCurve.Select(c => MatrixAlignment.PearsonAlpha(us, c)).ToArray();
        var spearmanKnn = knnCurve.Select(c => MatrixAlignment.SpearmanAlpha(us, c)).ToArray();

        var pearson0 = PerMember(first, (a, b) => MatrixAlignment.PearsonAlpha(a, b));
        var pearson8 = PerMember(last, (a, b) => MatrixAlignment.PearsonAlpha(a, b));
        var accRange8 = Enumerable.Range(0, p).Select(m => Range(Flat(last.Accuracy[m]))).ToArray();
        // The paper's Fig 7 statistic: Pearson over E2 depths within each D_φ, averaged over D_φ.
        double WithinDepth(LevelResult l, int m) => l.Cka[m].Select((row, d) => MatrixAlignment.PearsonAlpha(l.Accuracy[m][d], row)).Average();
        string PerDepth(LevelResult l, int m) => string.Join("/", l.Cka[m].Select((row, d) => Claim.Format(MatrixAlignment.PearsonAlpha(l.Accuracy[m][d], row))));
        var within0 = Enumerable.Range(0, p).Select(m => WithinDepth(first, m)).ToArray();
        var within8 = Enumerable.Range(0, p).Select(m => WithinDepth(last, m)).ToArray();
        var contrast = Enumerable.Range(0, p).Select(m => within0[m] - within8[m]).ToArray();
        // The paper's Fig 11 statistic at U = 0: Spearman ρ(D_φ, max over E2 depths of uCKA), per member.
        double[] phis = config.HeterogeneityDepths.Select(d => (double)d).ToArray();
        double[] HetCurve(int m) => first.Cka[m].Select(row => row.Max()).ToArray();
        var hetSpearman = Enumerable.Range(0, p).Select(m => MatrixAlignment.SpearmanAlpha(phis, HetCurve(m))).ToArray();
        var slope0 = PerMember(first, Slope);
        var slope8 = PerMember(last, Slope);

        var miSpread = information.Select(rs => rs.Max(i => i.Joint) - rs.Min(i => i.Joint)).ToArray();
        ctx.Extra["mutual_information_nats"] = information.Average(rs => rs[0].Joint);
        ctx.Extra["spearman_U_max_cka"] = spearman.Average();
        ctx.Extra["pearson_U_max_cka"] = pearson.Average();
        ctx.Extra["spearman_U_max_mutual_knn"] = spearmanKnn.Average();
        ctx.Extra["mutual_knn_chance"] = MutualKnn.Chance(config.Align.Samples, config.Align.K);

        string Seeds(double[] v) => string.Join(", ", v.Select((x, i) => $"seed {ctx.Seed + i}: {Claim.Format(x)}"));
        string Spread(double[] v) => $"mean of {v.Length} seeds (spread {Claim.Format(v.Min())}..{Claim.Format(v.Max())}; {Seeds(v)})";
        string configs = $"{config.HeterogeneityDepths.Length} D_φ × {config.EncoderDepths.Length} E2 depths";

        return
        [
            Claim.AtMost("I.mi-identical-across-R",
                $"The exact I(X1,X2;Y) (nats, from the joint tables) is identical for every redundancy R = 0..{s}: largest max−min over R of any seed",
                miSpread.Max(), 1e-9,
                $"I(X1,X2;Y) = {string.Join(", ", information.Select((rs, i) => $"seed {ctx.Seed + i}: {rs[0].Joint:0.######}"))}; I(X1;Y) at R=0/R={s}: {string.Join(", ", information.Select(rs => $"{rs[0].Modality1:0.###}/{rs[s].Modality1:0.###}"))}").AsCheck(),
            Claim.AtMost("I.spearman-alignment-vs-uniqueness",
                $"Spearman ρ(U, max uCKA) over U ∈ {{{string.Join(",", levels.Select(l => l.U))}}} (max over layer pairs and {configs}): alignment falls as uniqueness rises",
                spearman.Average(), -0.9,
                $"Spearman {Spread(spearman)}; Pearson r(U, max uCKA) = {Claim.Format(pearson.Average())} ({Seeds(pearson)}); Spearman ρ(U, max mutual k-NN) = {Claim.Format(spearmanKnn.Average())}"),
            Claim.AtLeast("I.max-cka-redundant",
                $"At U = 0 (all label bits shared) independently trained encoders align: max uCKA over {configs}",
                MaxCka(first).Average(), 0.7, Spread(MaxCka(first))),
            Claim.AtMost("I.max-cka-unique",
                $"At U = {s} (no label bit shared) they do not: max uCKA over {configs}",
                MaxCka(last).Average(), 0.05, Spread(MaxCka(last))),
            Claim.Within("I.mutual-knn-chance-unique",
                $"At U = {s} mutual k-NN (k = {config.Align.K}, n = {config.Align.Samples}) stays at chance k/(n−1) = {Claim.Format(MutualKnn.Chance(config.Align.Samples, config.Align.K))}: max over layer pairs and {configs}",
                MaxKnn(last).Average(), 0.17, 0.23, $"{Spread(MaxKnn(last))}; at U = 0: {Claim.Format(MaxKnn(first).Average())}"),
            Claim.AtMost("I.heterogeneity-decreases-alignment",
                $"At U = 0 alignment falls as the modalities grow more heterogeneous: Spearman ρ(D_φ, max uCKA over E2 depths) over D_φ ∈ {{{string.Join(",", config.HeterogeneityDepths)}}}",
                // −0.9: the paper's Fig 11 value at U = 0 (uCKA, −0.915), in the digest's form for the same statistic against U.
                hetSpearman.Average(), -0.9,
                $"Spearman {Spread(hetSpearman)}; max uCKA per D_φ: {string.Join("; ", Enumerable.Range(0, p).Select(m => $"seed {ctx.Seed + m}: " + string.Join("/", HetCurve(m).Select(Claim.Format))))}; " +
                $"not claimed (added after seeing seeds 1–10): lowest D_φ above highest in {Enumerable.Range(0, p).Count(m => HetCurve(m)[0] > HetCurve(m)[^1])}/{p} members, Spearman ρ of the member-mean curve = {Claim.Format(MatrixAlignment.SpearmanAlpha(phis, Enumerable.Range(0, phis.Length).Select(d => Enumerable.Range(0, p).Average(m => HetCurve(m)[d])).ToArray()))}"),
            Claim.AtLeast("I.within-depth-pearson-redundant",
                $"At U = 0 alignment predicts performance: Pearson r(E2 test accuracy, uCKA) over the E2 depths {{{string.Join(",", config.EncoderDepths)}}} within each D_φ, mean over the {config.HeterogeneityDepths.Length} D_φ (the paper's Fig 7 form)",
                // 0.4: midway between the paper's Fig 7 medians at U = 0 (0.68) and U = 8 (0.12), fixed before measuring.
                within0.Average(), 0.4,
                $"{Spread(within0)}; per D_φ {string.Join("; ", Enumerable.Range(0, p).Select(m => $"seed {ctx.Seed + m}: {PerDepth(first, m)}"))}; pooled over {configs} (not claimed: it mixes heterogeneity depths) = {Claim.Format(pearson0.Average())} ({Seeds(pearson0)}); least-squares slope of uCKA on accuracy = {Claim.Format(slope0.Average())}"),
            Claim.AtLeast("I.within-depth-pearson-contrast",
                $"…and much less so at U = {s}: within-depth Pearson at U = 0 minus the same at U = {s}",
                // 0.28: half the gap between the paper's Fig 7 medians at U = 0 and U = 8 (0.68 − 0.12 = 0.56), fixed before measuring.
                contrast.Average(), 0.28,
                $"{Spread(contrast)}; within-depth Pearson at U = {s}: {Claim.Format(within8.Average())} ({Seeds(within8)}; per D_φ {string.Join("; ", Enumerable.Range(0, p).Select(m => PerDepth(last, m)))}); pooled at U = {s} = {Claim.Format(pearson8.Average())}; slope = {Claim.Format(slope8.Average())}"),
            Claim.AtLeast("I.accuracy-range-unique",
                $"At U = {s} the accuracy of E2 still varies across the {configs} (so the lost alignment–accuracy link is not for lack of variation)",
                accRange8.Average(), 0.02, Spread(accRange8)),
            Claim.AtLeast("I.fixed-encoder-redundant",
                $"Generator check: at U = 0 modality 1 alone holds the label, a depth-{config.FixedEncoderDepth} E1 reaches high test accuracy",
                first.FixedAccuracy.Average(), 0.85, Spread(first.FixedAccuracy)).AsCheck(),
            Claim.AtMost("I.fixed-encoder-unique",
                $"Generator check: at U = {s} half the label bits are invisible to modality 1, so E1 stays well below",
                last.FixedAccuracy.Average(), 0.75, Spread(last.FixedAccuracy)).AsCheck(),
        ];
    }

    private static double[] Flat(double[][] a) => a.SelectMany(r => r).ToArray();
    private static double Range(double[] a) => a.Max() - a.Min();

    /// <summary>Least-squares slope of y on x: cov(x, y)/var(x) (an optional extra number, docs/experiments/multimodal-alignment.md#claims-checked).</summary>
    private static double Slope(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < x.Length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        return sxx > 0 ? sxy / sxx : 0;
    }

    // ---- figures (the paper's Fig 4, 6, 7 and 9 in this setting) ----

    private static void Declare(Config config, List<LevelResult> levels, RunContext ctx)
    {
        int p = config.Seeds;
        double[] us = levels.Select(l => (double)l.U).ToArray();
        double Mean(Func<int, double> f) => Enumerable.Range(0, p).Average(f);

        var curve = new Figure("alignment-vs-uniqueness", "Maximum alignment against uniqueness U (Fig 4)", "line", "uniqueness U", "max alignment")
        { Caption = "Max over layer pairs, D_φ and E2 depth. Unbiased CKA falls from high at U = 0 to ≈ 0 at U = 8; mutual k-NN falls to its chance level." };
        curve.Series.Add(new Series("uCKA (mean)", us, levels.Select(l => Mean(m => Flat(l.Cka[m]).Max())).ToArray()));
        curve.Series.Add(new Series("mutual k-NN (mean)", us, levels.Select(l => Mean(m => Flat(l.Knn[m]).Max())).ToArray()));
        curve.Series.Add(new Series("mutual k-NN chance k/(n−1)", us, us.Select(_ => MutualKnn.Chance(config.Align.Samples, config.Align.K)).ToArray()) { Style = "reference" });
        for (int m = 0; m < p; m++)
            curve.Series.Add(new Series($"uCKA seed {ctx.Seed + m}", us, levels.Select(l => Flat(l.Cka[m]).Max()).ToArray()));
        ctx.Figures.Add(curve);

        var scatter = new Figure("alignment-vs-accuracy", "Alignment against E2 test accuracy (Fig 9)", "scatter", "E2 test accuracy", "max-over-layers uCKA")
        { Caption = "One point per (seed, D_φ, E2 depth). With redundancy the points rise together; at U = 8 alignment is flat at ≈ 0 whatever the accuracy." };
        foreach (var l in levels)
            scatter.Series.Add(new Series($"U = {l.U}", Enumerable.Range(0, p).SelectMany(m => Flat(l.Accuracy[m])).ToArray(),
                Enumerable.Range(0, p).SelectMany(m => Flat(l.Cka[m])).ToArray()));
        ctx.Figures.Add(scatter);

        var correlation = new Figure("correlations-vs-uniqueness", "Alignment–accuracy correlation against U (Fig 7)", "line", "uniqueness U", "correlation")
        { Caption = "Pearson r(accuracy, uCKA) pooled over configurations, mean over seeds: high with redundancy, gone with uniqueness." };
        correlation.Series.Add(new Series("Pearson r(accuracy, uCKA)", us, levels.Select(l => Mean(m => MatrixAlignment.PearsonAlpha(Flat(l.Accuracy[m]), Flat(l.Cka[m])))).ToArray()));
        correlation.Series.Add(new Series("Spearman ρ(accuracy, uCKA)", us, levels.Select(l => Mean(m => MatrixAlignment.SpearmanAlpha(Flat(l.Accuracy[m]), Flat(l.Cka[m])))).ToArray()));
        ctx.Figures.Add(correlation);

        int nd = config.HeterogeneityDepths.Length, nb = config.EncoderDepths.Length;
        ctx.Figures.Add(new Figure("alignment-uniqueness-heterogeneity", "Max uCKA by uniqueness and heterogeneity", "heatmap", "heterogeneity depth D_φ", "uniqueness U")
        {
            Z = levels.Select(l => Enumerable.Range(0, nd).Select(d => Mean(m => l.Cka[m][d].Max())).ToArray()).ToArray(),
            RowValues = us,
            ColumnValues = config.HeterogeneityDepths.Select(d => (double)d).ToArray(),
            Caption = "Mean over seeds of the max over E2 depths: alignment fades with U (rows) and, more mildly, with D_φ (columns).",
        });
        var u0 = levels.First(l => l.U == 0);
        ctx.Figures.Add(new Figure("alignment-depth-heterogeneity-u0", "uCKA at U = 0 by E2 depth and D_φ (Fig 6)", "heatmap", "heterogeneity depth D_φ", "E2 depth")
        {
            Z = Enumerable.Range(0, nb).Select(b => Enumerable.Range(0, nd).Select(d => Mean(m => u0.Cka[m][d][b])).ToArray()).ToArray(),
            RowValues = config.EncoderDepths.Select(b => (double)b).ToArray(),
            ColumnValues = config.HeterogeneityDepths.Select(d => (double)d).ToArray(),
            Caption = "With full redundancy, deeper E2 encoders align better with E1, more so when modality 2 is more heterogeneous.",
        });
    }
}
