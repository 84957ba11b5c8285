namespace Noether.Experiments;

/// <summary>
/// A negative control: a setting of one experiment (quick profile, run seed 1, plus <see cref="Sets"/> as
/// `--set key=value`) where the paper predicts the opposite of some of its claims, or where the mechanism
/// behind them is switched off, so that every claim in <see cref="Fails"/> must FAIL. A claim that passes
/// in its control cannot tell the paper's mechanism from its absence. Sizes not named in the reason are
/// shrunk (fewer seeds, shorter unrelated phases) to keep the test suite short; they never decide the verdict.
/// NegativeControlTests runs every control and writes the "Negative controls" section of
/// docs/experiments/&lt;id&gt;.md from this table.
/// </summary>
public sealed record NegativeControl(string Experiment, string Name, IReadOnlyList<string> Sets, IReadOnlyList<string> Fails, string Why)
{
    /// <summary>True when the control runs a real-data variant (`data=&lt;source&gt;`): its test is skipped where the data is not installed.</summary>
    public bool RealData => Sets.Any(s => s.StartsWith("data=", StringComparison.Ordinal) && s != "data=" + DataConfig.Synthetic);
}

/// <summary>A paper claim for which no control was found that makes it fail, and why: a defect to fix, or a claim to turn into a check.</summary>
public sealed record UncontrolledClaim(string Experiment, string ClaimId, string Reason);

/// <summary>The negative controls of every paper claim of the quick profiles (docs/experiments/&lt;id&gt;.md, section "Negative controls").</summary>
public static class NegativeControls
{
    public static IReadOnlyList<NegativeControl> All { get; } =
    [
        // ---- hebbian ----
        new("hebbian", "parameter-noise",
            ["rule.parameter_noise=0.2", "seeds=1", "decay.batch=32", "noise.steps=300", "noise.sigmas=0,0.2"],
            ["A-E1.backprop.gain", "A-E1.backprop.level", "A-E1.backprop.no-decay",
             "A-E1.dfa.gain", "A-E1.dfa.level", "A-E1.dfa.no-decay",
             "A-E1.random-teacher.gain", "A-E1.random-teacher.level", "A-E1.random-teacher.no-decay",
             "A-E1.backprop.monotone", "A-E1.dfa.monotone", "A-E1.random-teacher.monotone",
             "A-E3.stationarity"],
            "Parameter noise σ = 0.2 in the A-E1 and A-E3 rules: the paper (A-E2) predicts an anti-Hebbian signal, so A(0) is far from 0, decay no longer raises A (the alignment stays flat or falls over the wd grid), and the window mean of the noisy signal no longer matches wd·W̄."),
        new("hebbian", "decay-collapse",
            ["decay.weight_decays=0,0.03,1,3", "seeds=1", "decay.batch=32", "noise.steps=300", "noise.sigmas=0,0.2"],
            ["A-E1.backprop.monotone", "A-E1.random-teacher.monotone"],
            "Weight decay wd = 1 and 3, past the collapse of the network: W → 0, so h_b → 0 and the Hebbian term wd·E‖h_b‖² of the weak form vanishes; the alignment falls from ≈ 1 to 0 between neighbouring wd."),
        new("hebbian", "no-decay-no-noise",
            ["noise.weight_decays=0.00001,0.0001", "noise.reference_weight_decay=0.00001", "noise.sigmas=0,0.001,0.002", "seeds=1", "decay.rules=backprop", "decay.steps=100"],
            ["A-E2.monotone", "A-E2.hebbian-without-noise", "A-E2.anti-hebbian", "A-E2.boundary", "A-E2.parabola", "A-E3.whitened"],
            "A-E2 with decay ≈ 0 (wd = 1e-5, 1e-4) and parameter noise ≈ 0 (σ ≤ 0.002): neither force is on, so A(σ=0) is not Hebbian, A does not fall with σ beyond its fluctuations, no σ makes it anti-Hebbian, there is no zero crossing (σ* undefined), and without decay the mean signal is not ∝ H̄ for whitened inputs."),
        new("hebbian", "no-source-noise",
            ["noise.gradient_sigmas=0", "noise.input_sigmas=0", "seeds=1", "decay.rules=backprop", "decay.steps=100"],
            ["A-E2.anti-hebbian-gradient-noise", "A-E2.anti-hebbian-input-noise"],
            "Gradient and input noise switched off (s = 0): those members are plain SGD at wd = 0.05, whose signal the paper predicts Hebbian (A ≈ 0.7 without noise), not anti-Hebbian."),

        // ---- heterosynaptic ----
        new("heterosynaptic", "before-V-forms",
            ["network.steps=10", "consistency.window=5", "seeds=1", "evolution.generations=6", "evolution.population=4", "evolution.elites=1", "evolution.steps=20", "evolution.fitness_window=5", "metaplasticity.train_steps=10", "metaplasticity.history_steps=10"],
            ["B-E1.descent-phi", "B-E1.descent-alignment", "B-E1.dynamical-consistency",
             "B-E1.ascent-sign", "B-E1.ascent-phi", "B-E1.ascent-alignment", "B-E1.ascent-loss"],
            "After 10 steps V is still its random V(0), or for the V(0) = 0 rows a few-step sum c·Σ h eᵀ too small to set φ: the heterosynaptic term that decides the sign of φ has not accumulated, so φ̂, the update's alignment with the gradient and the loss do not depend on the sign of c yet."),
        new("heterosynaptic", "large-initial-feedback",
            ["rule.feedback_std=0.25", "seeds=1", "topology.densities=1", "evolution.generations=6", "evolution.population=4", "evolution.elites=1", "evolution.steps=20", "evolution.fitness_window=5", "metaplasticity.train_steps=10", "metaplasticity.history_steps=10"],
            ["B-E1.ascent-sign"],
            "V(0) with std 1/4 instead of 1/8 (the law of W2ᵀ): the random feedback is no longer small against the accumulated c·Σ h eᵀ, so W2 aligns to it (feedback alignment) and a c < 0 rule with random V(0) ends with φ̂ > 0; the sign claim holds only for a small V(0)."),
        new("heterosynaptic", "no-selection",
            ["evolution.generations=1", "evolution.check_generation=0", "evolution.initial_b_max=10", "seeds=1", "network.steps=10", "consistency.window=5", "metaplasticity.train_steps=10", "metaplasticity.history_steps=10"],
            ["B-E2.phi-positive", "B-E2.best-loss", "B-E2.median-loss"],
            "The claims read at generation 0, the random population before any selection on task loss, with V's decay b drawn up to 10 (most random rules lose their feedback): without selection nothing favours φ > 0 or low loss."),
        new("heterosynaptic", "no-history",
            ["metaplasticity.history_steps=0", "seeds=1", "network.steps=10", "consistency.window=5", "evolution.generations=6", "evolution.population=4", "evolution.elites=1", "evolution.steps=20", "evolution.fitness_window=5"],
            ["B-E3.inverted-target-metaplasticity"],
            "No history: the primed copy's V has had no different experience, so the same probe event gives the same update (cos 1, norm ratio 1)."),
        new("heterosynaptic", "anti-rule",
            ["rule.coefficient=-1", "seeds=1", "consistency.coefficients=1,-1", "consistency.feedback_decays=0.001,0.001", "consistency.feedback_init_scales=1,0", "evolution.generations=6", "evolution.population=4", "evolution.elites=1", "evolution.steps=20", "evolution.fitness_window=5", "metaplasticity.train_steps=10", "metaplasticity.history_steps=10"],
            ["B-E4.phi", "B-E4.alignment", "B-E4.beats-feedback-alignment", "B-E4.half-density-loss"],
            "B-E4 with c = −1: the paper predicts φ < 0 and gradient ascent in the hidden layer, so φ̂ and the update's alignment turn negative and the loss ends far above the topology-matched reference's."),
        new("heterosynaptic", "frozen-feedback",
            ["rule.coefficient=0", "seeds=1", "consistency.coefficients=1,-1", "consistency.feedback_decays=0.001,0.001", "consistency.feedback_init_scales=1,0", "evolution.generations=6", "evolution.population=4", "evolution.elites=1", "evolution.steps=20", "evolution.fitness_window=5", "metaplasticity.train_steps=10", "metaplasticity.history_steps=10"],
            ["B-E4.alignment", "B-E4.beats-feedback-alignment"],
            "B-E4 with c = 0: the heterosynaptic term is off and V is its random V(0), decaying at λ_V (82 % left after 4000 steps), i.e. feedback alignment through the mask: W2 aligns to V but V never moves toward M⊙W2ᵀ, so the update's alignment stays at feedback alignment's (below half the matched reference's at p = 0.2 with W1 masked) and does not exceed it."),
        new("heterosynaptic", "no-feedback",
            ["rule.coefficient=0", "rule.feedback_decay=10", "seeds=1", "consistency.coefficients=1,-1", "consistency.feedback_decays=0.001,0.001", "consistency.feedback_init_scales=1,0", "evolution.generations=6", "evolution.population=4", "evolution.elites=1", "evolution.steps=20", "evolution.fitness_window=5", "metaplasticity.train_steps=10", "metaplasticity.history_steps=10"],
            ["B-E4.phi", "B-E4.alignment", "B-E4.beats-feedback-alignment", "B-E4.half-density-loss"],
            "B-E4 with c = 0 and λ_V = 10: V decays by half every step, so no error reaches the hidden layer (φ̂ = 0, ΔW1 = 0) and only the output layer learns."),

        // ---- self-assembly ----
        new("self-assembly", "fixed-random-feedback",
            ["rule.name=fa", "seeds=1", "four_synapse.enabled=false", "baselines=backprop,fa"],
            ["C-E1.self-assembly", "C-E2.as-good-as-backprop"],
            "The feedback learning rule off: B stays the random matrix it starts as (feedback alignment), so it does not assemble into Wᵀ and the circuit does not learn as well as backprop."),
        new("self-assembly", "sign-symmetric-feedback",
            ["rule.name=sign", "seeds=1", "four_synapse.enabled=false", "baselines=backprop,fa"],
            ["C-E1.self-assembly", "C-E2.as-good-as-backprop", "C-E2.beats-feedback-alignment"],
            "Feedback that is not learned but fixed by W (sign symmetry, B = mean abs(W)·sign Wᵀ): no self-assembly, so no advantage over fixed random feedback."),
        new("self-assembly", "frozen-relays",
            ["four_synapse.plastic=false", "seeds=1", "baselines=backprop"],
            ["C-E3.feedback", "C-E3.routing", "C-E3.functional-routing", "C-E3.learning"],
            "The relays P and Q frozen at their random initial values: routing never assembles, so W learns from a randomly mixed error Q δ and B from a randomly mixed activity P h; the two streams no longer get the same update and the circuit does not learn like backprop."),
        new("self-assembly", "plain-delta-relays",
            ["four_synapse.normalised=false", "seeds=1", "baselines=backprop"],
            ["C-E3.feedback", "C-E3.routing", "C-E3.learning"],
            "The relays learn by the plain delta rule from E[δδᵀ]: the hidden errors are small, so Q converges at rate η·eig(E[δδᵀ]) only along their few large directions and its gain there stays below 1 (Q ≈ D(D + λ_R)⁻¹); W's update is scaled down against B's, which breaks the Kolen–Pollack identity."),
        new("self-assembly", "real-fixed-random-feedback",
            ["data=fashion-mnist", "rule.name=fa", "baselines=backprop"],
            ["C-real.self-assembly"],
            "Real-data variant with the feedback learning rule off: B stays the random matrix it starts as (feedback alignment), so it does not assemble into Wᵀ (W turns only partly toward B)."),
        new("self-assembly", "real-no-feedback",
            ["data=fashion-mnist", "rule.name=fa", "rule.feedback_std=1e-6", "baselines=backprop"],
            ["C-real.self-assembly", "C-real.as-good-as-backprop"],
            "Real-data variant with the descending stream switched off: fixed feedback of std 1e-6, so no error reaches the hidden layers, which only decay; only the output layer learns, and the test loss ends far above backprop's."),

        // ---- noise-equilibrium ----
        new("noise-equilibrium", "full-batch",
            ["balance.sgd_batch=512", "scale.sgd_batch=256", "warmup.batch=512", "seeds=1", "balance.sgd_steps=2000", "balance.rate_max_steps=2000", "scale.steps=2000", "warmup.steps=2000", "warmup.warmup_steps=1000"],
            ["H-a.sgd-imbalance", "H-a.sgd-balance-ratio", "H-b.sgd-norm-growth", "H-b.growth-law", "H-d.warmup-rescues", "H-d.warmup-init-independent"],
            "The 'SGD' arms with the full batch: no gradient noise, so no noise equilibrium (the imbalance is kept), no noise-driven growth of ‖v‖² (growth exponent 0), and warmup cannot balance the Kaiming init: GD with warmup stays far sharper than the flattest point of its orbit, and the two inits end at different points (zero fluctuation, a nonzero gap)."),
        new("noise-equilibrium", "weight-decay",
            ["rule.l2=0.05", "seeds=1", "balance.sgd_steps=2000", "warmup.steps=2000", "warmup.warmup_steps=1000"],
            ["H-a.rate-batch-exponent", "H-a.rate-lr-exponent", "H-b.growth-law"],
            "Coupled L2 λ = 0.05 on every weight: the decay contracts the charge by (1 − ηλ)² per step, a first-order rate ∝ η that does not depend on the batch size B and outpaces the noise's η²/B, so the time to balance scales as 1/η, not as B/η²; and it bounds ‖v‖² of the scale-invariant model (‖v‖⁴ → ηG/2λ), so the norm stops growing (exponent ≈ 0)."),
        new("noise-equilibrium", "balanced-init",
            ["balance.w_init_scale=1", "balance.u_init_scale=1", "seeds=1", "balance.sgd_steps=2000", "balance.rate_max_steps=2000", "scale.steps=2000", "warmup.steps=2000", "warmup.warmup_steps=1000"],
            ["H-a.gd-imbalance", "H-a.gd-balance-ratio"],
            "Both layers initialised at the same scale: GD conserves the imbalance it starts with, and this init starts with less (0.68 instead of ≈ 1 with the default scales 2 and 0.1), so GD cannot end with the claimed ≥ 0.9."),
        new("noise-equilibrium", "small-scale-init",
            ["scale.init_scale=0.1", "seeds=1", "balance.sgd_steps=2000", "balance.rate_max_steps=2000", "scale.steps=2000", "warmup.steps=2000", "warmup.warmup_steps=1000"],
            ["H-b.gd-norm-growth"],
            "‖v₀‖ ten times smaller: on a scale-invariant loss the effective step η/‖v‖² is 100× larger, so GD's own η²‖g‖² term grows ‖v‖² before GD settles."),
        new("noise-equilibrium", "below-stability-limit",
            ["warmup.lrs=0.01,0.02", "warmup.lr=0.02", "seeds=1", "balance.sgd_steps=2000", "balance.rate_max_steps=2000", "scale.steps=2000", "warmup.steps=2000", "warmup.warmup_steps=1000"],
            ["H-d.warmup-rescues"],
            "A learning-rate grid (0.01, 0.02) below the Kaiming init's stability limit: no run without warmup diverges, so there is nothing for warmup to rescue (the claim's value is undefined and it fails)."),

        // ---- entropic-balance ----
        new("entropic-balance", "full-batch",
            ["alignment.sgd_batch=512", "neuron_balance.sgd_batch=512", "seeds=1", "alignment.sgd_steps=4000", "alignment.anneal_steps=1000", "neuron_balance.sgd_steps=3000", "discretisation.steps=50", "deep.enabled=false"],
            ["D-a.sgd-cka", "D-a.sgd-mutual-knn", "D-a.cka-gap", "D-a.mutual-knn-gap", "D-b.sgd-neuron-balance"],
            "The 'SGD' arms with the full batch at the GD arms' number of steps: no gradient noise, so no entropic force to align the two nets or balance the neurons."),
        new("entropic-balance", "small-balanced-init",
            ["alignment.w_scale_a=0.05", "alignment.u_scale_a=0.05", "alignment.w_scale_b=0.05", "alignment.u_scale_b=0.05", "neuron_balance.w_scale=0.5", "neuron_balance.u_scale=0.63", "alignment.sgd_steps=1000", "alignment.anneal_steps=500", "neuron_balance.sgd_steps=1000", "discretisation.steps=50", "deep.enabled=false"],
            ["D-a.gd-cka", "D-a.cka-gap", "D-a.mutual-knn-gap", "D-b.gd-neuron-balance"],
            "GD from small, balanced inits: both nets reach the same balanced solution without noise, and the neurons start balanced in expectation, so GD has no imbalance to preserve."),
        new("entropic-balance", "no-label-noise",
            ["alignment.label_noise=0", "seeds=1", "neuron_balance.sgd_steps=1000", "neuron_balance.gd_steps=1000", "discretisation.steps=50", "deep.enabled=false"],
            ["D-a.dose-response", "D-a.sgd-cka", "D-a.sgd-mutual-knn", "D-a.cka-gap", "D-a.mutual-knn-gap"],
            "D-a's targets without label noise (σ_ε = 0): the linear teacher is realisable, so at the interpolating minimum every per-sample gradient vanishes and minibatch noise with it; no entropic force at any batch size, so the SGD pairs at every dose end where GD does (their inits' factorisation), and the alignment neither rises with the dose nor exceeds GD's."),

        // ---- symmetry-hierarchy ----
        new("symmetry-hierarchy", "large-init",
            ["init_std=0.5", "ladder_steps=2000"],
            ["E.learning-time-ratio-21", "E.learning-time-ratio-32", "E.plateau-symmetric", "E.plateau-loss"],
            "Initialised far from the symmetric state (σ = 0.5 instead of 1e-3): there is no saddle to escape, every direction is above s_k/2 from step 0, and there are no symmetric plateaus."),
        new("symmetry-hierarchy", "syre",
            ["syre.gamma=0.5", "syre.sigma0=0.5", "dynamics_steps=200"],
            ["E.rank-ladder", "E.soft-threshold"],
            "syre removes the rotation symmetry (frozen offset θ₀): weight decay no longer collapses directions onto the symmetric state, so the rank ladder and the soft threshold break."),
        new("symmetry-hierarchy", "small-noise",
            ["noise.batches=64", "ladder_steps=100", "dynamics_steps=200"],
            ["E.noise-restores"],
            "Batch size 64 instead of 1 (η over the batch size 64 times smaller): the gradient noise is too weak to add to the decay, so the weakest direction stays where γ alone puts it, σ = s − 2γ."),

        // ---- crh ----
        new("crh", "no-decay",
            ["weight_decays=0,0.0001", "steps=3000", "seeds=1", "null_samples=2"],
            ["F.mean-alignment", "F.alignment-gain", "F.gradient-weight-alignment", "F.above-orthogonal-null", "F.crh-exponent"],
            "Weight decay ≈ 0 (largest wd 1e-4): the paper attributes the canonical alignment to the interplay of noise and decay; without decay the representations do not align, and nothing pulls the spectra into proportion (H_a is nearly independent of Z_a, k ≈ 0)."),

        // ---- syre ----
        new("syre", "sigma0-zero",
            ["syre.sigma0=0", "extra_sigma0=0,0", "steps=5000", "seeds=1"],
            ["G.syre-rank", "G.syre-loss", "G.syre-loss-every-arm", "G.noise-escapes-saddle", "G.syre-breaks-restored"],
            "σ₀ = 0 in every syre arm: no offset, so syre is plain weight decay and stays in the symmetric trap (rank 1, the vanilla loss) at every γ, and the vanilla + noise arms, whose noise has θ₀'s size, start exactly in the trap."),
        new("syre", "strong-decay",
            ["syre.gamma=0.1", "extra_gamma=0.1,0.1", "strong_gamma=0.3", "steps=5000", "seeds=1"],
            ["G.syre-loss", "G.syre-loss-every-arm", "G.noise-escapes-saddle"],
            "Every arm at γ = 0.1, above the critical decay: the trap is a minimum of ℓ + γ‖θ‖², so noise of θ₀'s size decays back into it, and the best fit at this γ is itself nearly symmetric, so syre's offset no longer buys a lower loss."),
        new("syre", "weak-strong-decay",
            ["strong_gamma=0.003", "steps=5000", "seeds=1"],
            ["G.decay-restores"],
            "The 'strong-decay' pair at γ = 0.003, below the critical decay: the trap is still a saddle, so the perturbation grows instead of decaying."),

        // ---- multimodal-alignment ----
        new("multimodal-alignment", "no-shared-information",
            ["data.temperature=5", "seeds=1"],
            ["I.spearman-alignment-vs-uniqueness", "I.max-cka-redundant", "I.max-cka-unique", "I.mutual-knn-chance-unique",
             "I.heterogeneity-decreases-alignment"],
            "Temperature 5 instead of 0.05 drowns the latent bits in noise: the modalities no longer carry the label's information, so alignment no longer follows uniqueness or heterogeneity."),
        new("multimodal-alignment", "untrained-e2-redundant",
            ["train.lr=0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0"],
            ["I.heterogeneity-decreases-alignment", "I.within-depth-pearson-redundant", "I.within-depth-pearson-contrast"],
            "E2 is not trained at U = 0 (learning rate 0 at R = 8; every other level as usual; three members as in the quick profile, because the within-depth correlations of three E2 depths are noisy): alignment there can only come from the initialisation, so it no longer emerges with E2's accuracy nor falls with heterogeneity."),
        new("multimodal-alignment", "identical-configs",
            ["heterogeneity_depths=1,1,1", "encoder_depths=1", "seeds=1", "train.epochs=1", "train.fixed_epochs=1", "data.train_samples=4096", "data.test_samples=1024"],
            ["I.accuracy-range-unique", "I.heterogeneity-decreases-alignment"],
            "Three identical configurations (heterogeneity switched off: every D_φ is 1, the same φ draw): E2's accuracy cannot vary across them, and alignment cannot fall with a heterogeneity that does not change."),

        // ---- compositional ----
        new("compositional", "hole-filled",
            ["grid.threshold=15", "seeds=1", "stripe.epochs=10"],
            ["J.mlp-ood-vs-blank", "J.mlp-ood-over-id", "J.mlp-superposition", "J.mlp-superposition-not-target"],
            "The held-out corner shrunk to the single cell (15, 15), next to training cells on both sides: the MLP no longer extrapolates by superposing far-away training images."),
        new("compositional", "stripe-untrained",
            ["stripe.epochs=3", "seeds=1", "mlp.epochs=10"],
            ["J.stripe-ood-vs-blank"],
            "The stripe model trained for 3 epochs instead of 150: its row and column profiles have not been learned, so it renders nothing near the targets."),
        new("compositional", "pixel-space-rendering",
            ["reentanglement_decoder=stripe", "seeds=1", "mlp.epochs=10"],
            ["J.mlp-reentanglement"],
            "The re-entanglement measured on the stripe model's last hidden layer instead of the MLP's: the paper predicts that rendering each factor in pixel space keeps the factors apart (x moves a column, y a row), so F stays at 1 within less than half the chance deficit."),
        new("compositional", "no-low-rank-penalties",
            ["low_rank.entropy_weight=0", "low_rank.variance_weight=0", "seeds=1", "mlp.epochs=10", "stripe.epochs=10"],
            ["J.low-rank-stripes"],
            "The low-rank model without its spectral-entropy and factor-variance penalties (the paper's 'full' model): nothing pushes an embedding to a stripe outside the training support, so E_x(x) for x in the held-out columns is a stripe only on the training rows."),
    ];

    /// <summary>
    /// Paper claims of the quick profiles that no control makes fail: each a finding (turn it into a check, or
    /// measure something that can fail), not something the table forgot.
    /// </summary>
    public static IReadOnlyList<UncontrolledClaim> Uncontrolled { get; } =
    [
        new("entropic-balance", "D-deep.mutual-knn-gap",
            "Known non-reproduction: already fails at the default setting (SGD aligns the two tanh nets' last hidden layers less than GD on D-a's 512 noisy samples), so a control cannot show anything until it reproduces."),
        new("heterosynaptic", "B-E1.descent-loss",
            "Known non-reproduction: already fails at the default setting (worst c > 0 row 2.8–3.5× backprop's loss over seeds 1–10: the c = 0.3, λ_V = 1e-2 row, HS-predicted φ = 0.03), so a control cannot show anything until it reproduces."),
        new("heterosynaptic", "B-E1.descent-vs-frozen-feedback",
            "Known non-reproduction: already fails at the default setting (the c = 0.3, λ_V = 1e-2 row ends 1.27–1.43× the frozen-V loss over seeds 1–10), so a control cannot show anything until it reproduces."),
        new("heterosynaptic", "B-E3.metaplasticity",
            "Known non-reproduction: the digest's history (500 V-only steps with c = −1) already fails at the default setting (contrast 0.51–0.53 over seeds 1–10: cos 0.90–0.99, norm ratio 0.92–1.07), so a control cannot show anything until it reproduces."),
    ];

    public static IEnumerable<NegativeControl> Of(string experiment) => All.Where(c => c.Experiment == experiment);
    public static IEnumerable<UncontrolledClaim> UncontrolledOf(string experiment) => Uncontrolled.Where(c => c.Experiment == experiment);
}
