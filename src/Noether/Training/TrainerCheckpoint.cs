using System.Globalization;
using Noether.Tensors;

namespace Noether.Training;

/// <summary>
/// Saving and restoring a trainer between two steps: parameters, feedback matrices, optimizer state (update count,
/// per-member learning rates and weight decays, momentum/moment arrays), each member's batch sampler
/// and its stream, the step counter, last losses, divergence marks and any <see cref="CheckpointParts"/>.
/// A trainer built the same way and loaded from a state saved at step k then takes exactly the
/// steps the saved one would have (bit for bit at a fixed thread count).
/// </summary>
public sealed partial class Trainer<T>
{
    /// <summary>Extra state saved and restored with the trainer (hooks' streams, plastic feedback weights).</summary>
    public List<ICheckpointable> CheckpointParts { get; } = [];

    public void SaveState(CheckpointState state, string prefix = "trainer.")
    {
        state.Put(prefix + "step", Step);
        state.Put(prefix + "last_loss", LastLoss);
        state.Put(prefix + "diverged_at", DivergedAt);
        var parameters = Network.Parameters;
        for (int i = 0; i < parameters.Count; i++) state.Put(ParameterKey(prefix, i), parameters[i].Value.ReadOnlySpan);
        // Feedback matrices (feedback alignment, Kolen–Pollack) are not parameters but may be learned.
        foreach (var (linear, i) in Network.Linears.Select((l, i) => (l, i)))
            if (linear.Feedback is { } b) state.Put($"{prefix}feedback.{i}", b.ReadOnlySpan);
        state.Put(prefix + "optimizer.steps", Optimizer.Steps);
        state.Put(prefix + "optimizer.learning_rate", Optimizer.LearningRate);
        state.Put(prefix + "optimizer.weight_decay", Optimizer.WeightDecay);
        var names = new List<string>();
        foreach (var (name, values) in Optimizer.State)
        {
            state.Put(prefix + "optimizer.state." + name, values);
            names.Add(name);
        }
        state.Put(prefix + "optimizer.state_names", string.Join('\n', names));
        for (int p = 0; p < _samplers.Length; p++)
        {
            var s = _samplers[p].GetState();
            string key = prefix + "sampler." + p.ToString(CultureInfo.InvariantCulture);
            state.Put(key + ".order", s.Order);
            state.Put(key + ".cursor", new long[] { s.Position, s.Epoch });
            state.Put(key + ".rng", s.Rng.ToWords());
        }
        for (int i = 0; i < CheckpointParts.Count; i++) CheckpointParts[i].Save(state, $"{prefix}part{i}.");
    }

    public void LoadState(CheckpointState state, string prefix = "trainer.")
    {
        var parameters = Network.Parameters;
        for (int i = 0; i < parameters.Count; i++) state.CopyTo(ParameterKey(prefix, i), parameters[i].Value.Span);
        foreach (var (linear, i) in Network.Linears.Select((l, i) => (l, i)))
            if (linear.Feedback is { } b) state.CopyTo($"{prefix}feedback.{i}", b.Span);
        state.CopyTo(prefix + "last_loss", LastLoss.AsSpan());
        state.CopyTo(prefix + "diverged_at", DivergedAt.AsSpan());
        state.CopyTo(prefix + "optimizer.learning_rate", Optimizer.LearningRate.AsSpan());
        state.CopyTo(prefix + "optimizer.weight_decay", Optimizer.WeightDecay.AsSpan());
        string names = state.GetString(prefix + "optimizer.state_names");
        Optimizer.RestoreState(state.GetInt64(prefix + "optimizer.steps"),
            names.Length == 0 ? [] : names.Split('\n').Select(n => (n, state.Get<T>(prefix + "optimizer.state." + n))));
        for (int p = 0; p < _samplers.Length; p++)
        {
            string key = prefix + "sampler." + p.ToString(CultureInfo.InvariantCulture);
            var cursor = state.Get<long>(key + ".cursor");
            _samplers[p].SetState(new Data.BatchSamplerState(state.Get<int>(key + ".order"), (int)cursor[0], (int)cursor[1],
                RngState.FromWords(state.Get<ulong>(key + ".rng"))));
        }
        for (int i = 0; i < CheckpointParts.Count; i++) CheckpointParts[i].Load(state, $"{prefix}part{i}.");
        Step = state.GetInt64(prefix + "step");
    }

    // The index keeps two parameters of the same name apart; the name makes a mismatched checkpoint fail loudly.
    private string ParameterKey(string prefix, int i) => $"{prefix}param.{i}.{Network.Parameters[i].Name}";
}
