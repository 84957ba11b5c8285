using Noether.Data;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Liang, Qian, Ziyin, Fiete — "Compositional Generalization Requires More Than Disentangled Representations"
/// (v2: "… via Forced Rendering of Disentangled Latents"; arXiv 2501.18797; docs/experiments/compositional.md).
/// A decoder gets a perfectly disentangled code of a position (x, y) and must draw a Gaussian bump there; the
/// combinations in a held-out region never appear in training although every x and every y does.
/// Claims (docs/experiments/compositional.md#claims-checked): an MLP decoder fails out of distribution (ID MSE small, OOD MSE ≥ 0.5× the blank-image
/// baseline, OOD/ID ≥ 20) and its OOD outputs are superpositions of the training images that share x or y,
/// not the target; forcing the factors to be rendered in pixel space (stripe profiles composed by a
/// pixelwise network) succeeds (OOD ≤ 0.05× blank, OOD/ID ≤ 5). Full profile adds the ConvTranspose decoder
/// (fails like the MLP) and the regularised low-rank embedding (without its penalties OOD
/// stays at or above blank, with them far below). The blank baseline is reported next to every MSE.
/// Each population member is one seed (run seed + i); claims report the worst seed and list every seed.
/// The full profile's two extra decoders are in Compositional.FullProfile.cs, with their settings.
/// </summary>
public sealed partial class Compositional : Experiment<Compositional.Config>
{
    public override string Id => "compositional";
    public override string Title => "Disentangled codes do not compose unless rendered in pixel space";
    public override Paper Paper => new("Compositional Generalization Requires More Than Disentangled Representations",
        "Qiyao Liang, Daoyuan Qian, Liu Ziyin, Ila Fiete", "2501.18797");
    public override string Summary => "MLP decoder on one-hot (x,y): ID fits, OOD ≥ blank, superposition of same-x/same-y training images; stripe rendering composes OOD; full adds ConvTranspose decoder and regularised low-rank embedding";
    public override string[] ExportKinds => ["features", "weights"];

    public sealed class Config : TrainedConfig, IValidatedConfig
    {
        public override IReadOnlyList<(string Key, string Why)> Unhonoured =>
        [
            ("rule.", "its stripe and convolutional decoders have layers a feedback rule cannot route (StripeRender, ConvTranspose2d), so only backprop trains every decoder"),
        ];

        /// <summary>The paper's optimiser, AdamW, by default; optimizer.name chooses another for every decoder.</summary>
        public Config() => Optimizer = new OptimizerConfig { Name = "adamw" };

        public GridConfig Grid { get; set; } = new();
        public MlpConfig Mlp { get; set; } = new();
        public StripeConfig Stripe { get; set; } = new();
        public ConvDecoderConfig ConvDecoder { get; set; } = new();
        public LowRankConfig LowRank { get; set; } = new();
        [Param("decoder whose last hidden layer J.mlp-reentanglement measures: mlp (the claim) or stripe (its control: the paper predicts no re-entanglement when the factors are rendered in pixel space)", OneOf = ["mlp", "stripe"])]
        public string ReentanglementDecoder { get; set; } = "mlp";
        [Param("population members, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("epochs between two logged ID/OOD evaluations", Min = 1)] public int ProbeEvery { get; set; } = 10;

        public void Validate()
        {
            int id = Grid.Size * Grid.Size - (Grid.Size - Grid.Threshold) * (Grid.Size - Grid.Threshold);
            if (Mlp.BatchSize > id) throw new ConfigException($"mlp.batch_size={Mlp.BatchSize}: expected at most the {id} in-distribution cells");
            if (Stripe.BatchSize > id) throw new ConfigException($"stripe.batch_size={Stripe.BatchSize}: expected at most the {id} in-distribution cells");
        }
    }

    /// <summary>The quick grid (docs/experiments/compositional.md#data): N×N one-hot codes, non-inverted bumps, corner x,y ≥ threshold held out.</summary>
    public sealed class GridConfig : IValidatedConfig
    {
        [Param("image side N", Min = 4, Max = 64)] public int Size { get; set; } = 16;
        [Param("bump width σ in pixels", Min = 0.1, Max = 16)] public double Sigma { get; set; } = 1.0;
        [Param("held-out corner: cells with x ≥ t and y ≥ t", Min = 1)] public int Threshold { get; set; } = 6;

        public void Validate()
        {
            if (Threshold >= Size) throw new ConfigException($"grid.threshold={Threshold}: expected less than grid.size ({Size}) so that some cells are held out");
        }
    }

    /// <summary>The baseline (docs/experiments/compositional.md#models-quick-profile): an MLP decoder from the one-hot code to the image.</summary>
    public sealed class MlpConfig
    {
        [Param("hidden widths (ReLU)", Min = 1, Max = 4096)] public int[] Hidden { get; set; } = [128, 128];
        [Param("Adam learning rate", Min = 0, Max = 10)] public double Lr { get; set; } = 1e-3;
        [Param("mini-batch size", Min = 1)] public int BatchSize { get; set; } = 32;
        [Param("epochs over the in-distribution cells", Min = 1)] public int Epochs { get; set; } = 300;
    }

    /// <summary>The fix (docs/experiments/compositional.md#models-quick-profile): stripe rendering (column and row profiles) and a pixelwise MLP (1×1 convolutions).</summary>
    public sealed class StripeConfig
    {
        [Param("hidden widths of the pixelwise MLP (LeakyReLU)", Min = 1, Max = 1024)] public int[] Hidden { get; set; } = [16, 16];
        [Param("LeakyReLU negative slope", Min = 0, Max = 1)] public double LeakySlope { get; set; } = 0.01;
        [Param("std of the stripe-profile initialisation (calibration note: 0.1; N(0,1) plateaus on some seeds)", Min = 0, Max = 10)]
        public double EmbeddingStd { get; set; } = 0.1;
        [Param("Adam learning rate", Min = 0, Max = 10)] public double Lr { get; set; } = 3e-3;
        [Param("mini-batch size", Min = 1)] public int BatchSize { get; set; } = 8;
        [Param("epochs over the in-distribution cells", Min = 1)] public int Epochs { get; set; } = 150;
    }

    protected override Config Profile(string profile) => profile == "full"
        ? new Config
        {
            ConvDecoder = new ConvDecoderConfig { Enabled = true },
            LowRank = new LowRankConfig { Enabled = true },
            ProbeEvery = 25,
        }
        : new Config { LowRank = LowRankConfig.Quick() };

    /// <summary>Per-member results of one decoder: MSE per cell on both sides of the split, and its outputs on the OOD cells.</summary>
    /// <param name="Name">the decoder (its phase).</param>
    /// <param name="IdCellMse">pixel-mean MSE [member][ID cell].</param>
    /// <param name="OodCellMse">pixel-mean MSE [member][OOD cell].</param>
    /// <param name="OodOutputs">decoded images on the OOD cells [member][cell·pixel].</param>
    /// <param name="Factorisation">layer-geometry factorisation F[activation][member] of the trained decoder over the whole grid (index 0 = the code, last = the image; <see cref="LayerFactorisation"/>).</param>
    /// <param name="FactorisationAtInit">the same before training.</param>
    /// <param name="LastHidden">index into <paramref name="Factorisation"/> of the last hidden layer (the output of the last nonlinearity).</param>
    /// <param name="LastHiddenWidth">its width D per sample (units × pixels).</param>
    /// <param name="Stripes">per member, the stripe fraction of a low-rank embedding (<see cref="StripeFraction"/>); null for other decoders.</param>
    private sealed record DecoderResult(string Name, double[][] IdCellMse, double[][] OodCellMse, float[][] OodOutputs,
        double[][]? Factorisation = null, double[][]? FactorisationAtInit = null, double[]? Stripes = null, int LastHidden = 0, int LastHiddenWidth = 0)
    {
        public double[] Id => IdCellMse.Select(c => c.Average()).ToArray();
        public double[] Ood => OodCellMse.Select(c => c.Average()).ToArray();
    }

    protected override IReadOnlyList<Claim> Run(Config config, RunContext ctx)
    {
        var g = config.Grid;
        var bumps = new GaussianBumps(g.Size, g.Sigma);
        var split = BumpHoldout.Corner(g.Size, g.Threshold);
        double blank = bumps.BlankMse(split.OutOfDistribution);
        double blankId = bumps.BlankMse(split.InDistribution);
        ctx.Extra["blank_ood_mse"] = blank;
        ctx.Extra["blank_id_mse"] = blankId;

        var mlp = TrainDecoder("mlp", BuildMlp(config, ctx), bumps, split, BumpCode.OneHot, config.Mlp.Lr, 0, config.Mlp.BatchSize, config.Mlp.Epochs, config, ctx);
        var stripe = TrainDecoder("stripe", BuildStripe(config, ctx), bumps, split, BumpCode.OneHot, config.Stripe.Lr, 0, config.Stripe.BatchSize, config.Stripe.Epochs, config, ctx);
        var (withS, withT) = Superposition(mlp, bumps, split);

        var claims = new List<Claim>();
        string Seeds(double[] v) => string.Join(", ", v.Select((x, i) => $"seed {ctx.Seed + i}: {Claim.Format(x)}"));
        string Blank(double b) => $"blank-image baseline {Claim.Format(b)}";
        var mlpRatio = mlp.Ood.Select(o => o / blank).ToArray();
        var mlpGap = mlp.Ood.Zip(mlp.Id, (o, i) => o / i).ToArray();
        var stripeRatio = stripe.Ood.Select(o => o / blank).ToArray();
        var stripeGap = stripe.Ood.Zip(stripe.Id, (o, i) => o / i).ToArray();
        var margin = withS.Zip(withT, (s, t) => s - t).ToArray();
        string where = $"{g.Size}×{g.Size}, σ = {g.Sigma}, one-hot (x, y), {split.Description}";
        claims.AddRange(
        [
            Claim.AtMost("J.mlp-id-mse",
                $"The MLP decoder ({string.Join("→", new[] { 2 * g.Size }.Concat(config.Mlp.Hidden).Append(g.Size * g.Size))}, {config.Mlp.Epochs} epochs) fits the training region: ID MSE ({where}; worst seed)",
                mlp.Id.Max(), 1e-3, $"{Seeds(mlp.Id)}; {Blank(blankId)} on ID cells").AsCheck(),
            Claim.AtLeast("J.mlp-ood-vs-blank",
                "…but fails out of distribution: OOD MSE / blank-image MSE (a blank image would do about as well; smallest over seeds)",
                mlpRatio.Min(), 0.5, $"OOD MSE {Seeds(mlp.Ood)}; {Blank(blank)}; ratio {Seeds(mlpRatio)}"),
            Claim.AtLeast("J.mlp-ood-over-id",
                "OOD MSE / ID MSE of the MLP decoder (smallest over seeds)",
                mlpGap.Min(), 20, Seeds(mlpGap)),
            Claim.AtLeast("J.mlp-superposition",
                "Its OOD outputs are superpositions of training images: pixelwise Pearson r(output, S) with S = mean ID image with the same x + mean ID image with the same y, averaged over OOD cells (smallest over seeds)",
                withS.Min(), 0.5, $"r(output, S): {Seeds(withS)}; r(output, target): {Seeds(withT)}"),
            Claim.AtLeast("J.mlp-superposition-not-target",
                "…rather than the target: r(output, S) − r(output, target) (smallest over seeds)",
                margin.Min(), 0.3, Seeds(margin)),
            Claim.AtMost("J.stripe-ood-vs-blank",
                $"Rendering the factors as stripes (column/row profiles composed by a pixelwise MLP, {config.Stripe.Epochs} epochs) composes: OOD MSE / blank MSE (largest over seeds)",
                stripeRatio.Max(), 0.05, $"OOD MSE {Seeds(stripe.Ood)}; ID MSE {Seeds(stripe.Id)}; {Blank(blank)}; ratio {Seeds(stripeRatio)}"),
            Claim.AtMost("J.stripe-ood-over-id",
                "OOD MSE / ID MSE of the stripe-rendering model: no generalisation gap (largest over seeds)",
                stripeGap.Max(), 5, Seeds(stripeGap)).AsCheck(), // composition is built into the stripe model (docs/experiments/compositional.md#jstripe-ood-over-id)
        ]);

        claims.Add(Reentanglement(config, config.ReentanglementDecoder == "stripe" ? stripe : mlp, ctx));

        var extraResults = new List<(DecoderResult Result, GaussianBumps Bumps, BumpHoldout Split, double Blank)>();
        if (config.ConvDecoder.Enabled) claims.AddRange(RunConvDecoder(config, ctx, extraResults));
        if (config.LowRank.Enabled) claims.AddRange(RunLowRank(config, ctx, extraResults));

        Declare(config, bumps, split, blank, mlp, stripe, extraResults, ctx);
        return claims;
    }

    // ---- models ----

    private static Sequential<float> BuildMlp(Config config, RunContext ctx)
    {
        int n = config.Grid.Size;
        var net = Nn.Mlp.Build<float>(config.Seeds, [2 * n, .. config.Mlp.Hidden, n * n], "relu", compute: ctx.Compute);
        net.Initialize(InitScheme.TorchDefault, Streams(config.Seeds, "mlp/init", ctx));
        return net;
    }

    /// <summary>Model B: StripeRender → [1×1 conv, LeakyReLU]×hidden → 1×1 conv → flatten (a per-pixel MLP g(a_j, b_i)).</summary>
    private static Sequential<float> BuildStripe(Config config, RunContext ctx)
    {
        int p = config.Seeds, n = config.Grid.Size;
        var layers = new List<Layer<float>> { new StripeRender<float>(p, n, n, n) };
        int channels = 2;
        foreach (int h in config.Stripe.Hidden)
        {
            layers.Add(new Conv2d<float>(p, channels, h, 1, name: $"pixel{layers.Count}"));
            layers.Add(new LeakyRelu<float>(p, config.Stripe.LeakySlope));
            channels = h;
        }
        layers.Add(new Conv2d<float>(p, channels, 1, 1, name: "pixel.out"));
        layers.Add(new Reshape<float>(p, [n * n]));
        var net = new Sequential<float>(p, [2 * n], layers, ctx.Compute);
        var render = (StripeRender<float>)layers[0];
        for (int m = 0; m < p; m++)
        {
            var rng = ctx.SeedStream(m, "stripe/init");
            foreach (var prm in net.Parameters)
            {
                if (prm == render.Columns || prm == render.Rows) rng.FillNormal(prm.Value.SliceSpan(m), 0, config.Stripe.EmbeddingStd);
                else Initializer.Fill(prm, m, InitScheme.TorchDefault, rng);
            }
        }
        return net;
    }

    /// <summary>Stream <paramref name="name"/> of each member; every decoder population is one member per seed.</summary>
    private static Rng[] Streams(int members, string name, RunContext ctx) =>
        Enumerable.Range(0, members).Select(s => ctx.SeedStream(s, name)).ToArray();

    /// <summary>
    /// Trains a decoder population on the ID cells with pixel-mean MSE and Adam(W), logging ID and OOD MSE every
    /// probe_every epochs; returns the final per-cell errors and OOD outputs. <paramref name="hook"/> may add a penalty.
    /// </summary>
    private static DecoderResult TrainDecoder(string name, Sequential<float> net, GaussianBumps bumps, BumpHoldout split, BumpCode code,
        double lr, double weightDecay, int batch, int epochs, Config config, RunContext ctx, IReadOnlyList<(int X, int Y)>? trainCells = null,
        Action<Trainer<float>>? hook = null)
    {
        // One phase per decoder, with a safe point at every probe: a resumed run skips decoders already trained.
        return ctx.Phase(name, phase => TrainDecoder(phase, name, net, bumps, split, code, lr, weightDecay, batch, epochs, config, ctx, trainCells, hook));
    }

    private static DecoderResult TrainDecoder(CheckpointPhase phase, string name, Sequential<float> net, GaussianBumps bumps, BumpHoldout split, BumpCode code,
        double lr, double weightDecay, int batch, int epochs, Config config, RunContext ctx, IReadOnlyList<(int X, int Y)>? trainCells,
        Action<Trainer<float>>? hook)
    {
        int p = net.Members;
        var cells = trainCells ?? split.InDistribution;
        var (codes, images) = bumps.Batch<float>(cells, code);
        var trainer = new Trainer<float>(net, new MseLoss<float>(half: false, meanOverOutputs: true),
            config.Optimizer.Create<float>(p, lr, weightDecay), new TrainingData<float>(codes, images), batch,
            Streams(p, $"{name}/batches", ctx), config.Optimizer.ScheduleOf());
        if (hook is not null) trainer.AfterBackward.Add(hook);
        config.Attach(trainer, (m, stream) => ctx.SeedStream(m, $"{name}/{stream}")); // syre as the decay phase (docs/training.md)
        var pop = ctx.Population(name, PopulationLayout.OfSeeds(p));
        ctx.Watch(pop, trainer); // --export, probes
        int perEpoch = cells.Count / batch;
        long steps = (long)epochs * perEpoch;
        // Before the phase restores a checkpoint: the net is still its deterministic initialisation, resumed or not.
        var atInit = LayerFactorisation(net, bumps, code);
        ctx.Time(name, () =>
        {
            phase.Train(trainer, steps, (long)config.ProbeEvery * perEpoch, step =>
            {
                if (step == 0)
                    for (int l = 0; l < atInit.Length; l++)
                        for (int m = 0; m < p; m++) pop.Log(0, m, $"a{l}", "factorisation", atInit[l][m]);
                var id = CellMse(net, bumps, split.InDistribution, code).Mse;
                var ood = CellMse(net, bumps, split.OutOfDistribution, code).Mse;
                for (int m = 0; m < p; m++)
                {
                    pop.Log(step / perEpoch, m, "id_mse", id[m].Average());
                    pop.Log(step / perEpoch, m, "ood_mse", ood[m].Average());
                }
                ctx.Metrics.Flush();
                ctx.Progress.Report($"compositional {name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        var idMse = CellMse(net, bumps, split.InDistribution, code).Mse;
        var (oodMse, outputs) = CellMse(net, bumps, split.OutOfDistribution, code);
        var trained = LayerFactorisation(net, bumps, code);
        for (int l = 0; l < trained.Length; l++)
            for (int m = 0; m < p; m++) pop.Log(steps / perEpoch, m, $"a{l}", "factorisation", trained[l][m]);
        ctx.Metrics.Flush();
        var stripes = StripeFraction(net, bumps);
        if (stripes is not null)
            for (int m = 0; m < p; m++) pop.Log(steps / perEpoch, m, "stripe_fraction", stripes[m]);
        ctx.Metrics.Flush();
        var (hidden, width) = LastHiddenLayer(net);
        return new DecoderResult(name, idMse, oodMse, outputs, trained, atInit, stripes, hidden, width);
    }

    /// <summary>Pixel-mean squared error of every member on every cell, and the outputs [member][cell·pixel].</summary>
    private static (double[][] Mse, float[][] Outputs) CellMse(Sequential<float> net, GaussianBumps bumps, IReadOnlyList<(int X, int Y)> cells, BumpCode code)
    {
        var (codes, images) = bumps.Batch<float>(cells, code);
        return PerSampleMse.Evaluate(net, codes, images);
    }

    // ---- figures ----

    private static void Declare(Config config, GaussianBumps bumps, BumpHoldout split, double blank, DecoderResult mlp, DecoderResult stripe,
        List<(DecoderResult Result, GaussianBumps Bumps, BumpHoldout Split, double Blank)> extra, RunContext ctx)
    {
        var rows = ctx.Metrics.Rows;
        var curves = new Figure("mse-over-training", "ID and OOD MSE during training", "line", "epoch", "pixel-mean MSE")
        { LogY = true, Caption = "The MLP decoder drives ID error down while OOD error stays above the blank-image baseline; the stripe model brings both down together." };
        foreach (var name in new[] { "mlp", "stripe" }.Concat(extra.Select(e => e.Result.Name)))
            foreach (var metric in new[] { "id_mse", "ood_mse" })
            {
                var mine = rows.Where(r => r.Phase == name && r.Name == metric).GroupBy(r => r.Step).OrderBy(gr => gr.Key).ToList();
                if (mine.Count == 0) continue;
                curves.Series.Add(new Series($"{name} {metric[..^4].ToUpperInvariant()}", mine.Select(gr => (double)gr.Key).ToArray(), mine.Select(gr => gr.Average(r => r.Value)).ToArray()));
            }
        var epochs = curves.Series.SelectMany(s => s.X).DefaultIfEmpty(0).ToArray();
        curves.Series.Add(new Series("blank image (OOD)", [epochs.Min(), epochs.Max()], [blank, blank]));
        ctx.Figures.Add(curves);

        foreach (var (result, title) in new[] { (mlp, "MLP decoder"), (stripe, "stripe rendering") })
            ctx.Figures.Add(ErrorMap($"error-map-{result.Name}", $"log₁₀ MSE per bump position: {title}", bumps, split, result));
        Figure.ShareScale(ctx.Figures, "error-map-"); // one colour scale: the decoders compare by colour

        // Decoded OOD samples: target, superposition S, MLP output, stripe output, for a few cells across the hole.
        var panels = new List<ImagePanel>();
        int px = bumps.Pixels, size = bumps.Size;
        var img = new double[px];
        var superposition = new BumpSuperposition(bumps, split.InDistribution);
        var picks = new[] { 0, split.OutOfDistribution.Length / 3, 2 * split.OutOfDistribution.Length / 3, split.OutOfDistribution.Length - 1 };
        foreach (int c in picks)
        {
            var (x, y) = split.OutOfDistribution[c];
            bumps.Render(x, y, img);
            panels.Add(new ImagePanel($"target ({x},{y})", size, size, (double[])img.Clone()));
            superposition.Render(x, y, img);
            panels.Add(new ImagePanel($"S: same-x + same-y training mean", size, size, (double[])img.Clone()));
            panels.Add(new ImagePanel($"MLP ({x},{y})", size, size, mlp.OodOutputs[0].AsSpan(c * px, px).ToArray().Select(v => (double)v).ToArray()));
            panels.Add(new ImagePanel($"stripe ({x},{y})", size, size, stripe.OodOutputs[0].AsSpan(c * px, px).ToArray().Select(v => (double)v).ToArray()));
        }
        ctx.Figures.Add(new Figure("decoded-ood", $"Decoded images at held-out positions (seed {ctx.Seed})", "images", "", "")
        {
            Images = panels,
            Caption = "Per held-out position: target, the superposition S of the training images sharing its x or y, the MLP output (close to S, not to the target) and the stripe model's output (the bump).",
        });

        var categories = new List<string> { "MLP decoder", "stripe rendering" };
        var ratios = new List<double> { mlp.Ood.Average() / blank, stripe.Ood.Average() / blank };
        var idRatios = new List<double> { mlp.Id.Average() / blank, stripe.Id.Average() / blank };
        foreach (var e in extra)
        {
            categories.Add(e.Result.Name);
            ratios.Add(e.Result.Ood.Average() / e.Blank);
            idRatios.Add(e.Result.Id.Average() / e.Blank);
            ctx.Figures.Add(ErrorMap($"error-map-{e.Result.Name}", $"log₁₀ MSE per bump position: {e.Result.Name}", e.Bumps, e.Split, e.Result));
        }
        Figure.ShareScale(ctx.Figures, "error-map-");
        ctx.Figures.Add(new Figure("mse-over-blank", "MSE relative to the blank-image baseline", "bar", "model", "MSE / blank MSE")
        {
            Categories = categories.ToArray(),
            LogY = true,
            Series = [new Series("OOD", Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), ratios.ToArray()),
                      new Series("ID", Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), idRatios.ToArray())],
            Caption = "1 = no better than drawing nothing. Mean over seeds.",
        });
    }

    /// <summary>Heat-map Z[y][x] = log10 of the mean over members of the MSE at bump position (x, y), ID and OOD cells alike.</summary>
    private static Figure ErrorMap(string id, string title, GaussianBumps bumps, BumpHoldout split, DecoderResult result)
    {
        int n = bumps.Size;
        var z = Enumerable.Range(0, n).Select(_ => new double[n]).ToArray();
        void Fill((int X, int Y)[] cells, double[][] mse)
        {
            for (int c = 0; c < cells.Length; c++)
                z[cells[c].Y][cells[c].X] = Math.Log10(Math.Max(1e-12, mse.Average(m => m[c])));
        }
        Fill(split.InDistribution, result.IdCellMse);
        Fill(split.OutOfDistribution, result.OodCellMse);
        return new Figure(id, title, "heatmap", "x", "y")
        {
            ZLabel = "log₁₀ MSE",
            Z = z,
            RowValues = Enumerable.Range(0, n).Select(i => (double)i).ToArray(),
            ColumnValues = Enumerable.Range(0, n).Select(i => (double)i).ToArray(),
            Caption = $"{split.Description}. Held-out cells light up when the decoder does not compose.",
        };
    }
}
