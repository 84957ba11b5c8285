using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// Epoch-wise mini-batches without replacement: each epoch is a fresh permutation of 0..n−1 drawn
/// from the given stream, cut into consecutive batches. <see cref="Next"/> writes the next batch's
/// indices into a caller-owned span, so the training loop allocates nothing per batch.
/// </summary>
public sealed class BatchSampler
{
    private readonly int[] _order;
    private readonly Rng _rng;
    private int _position;

    /// <summary>Number of examples sampled from.</summary>
    public int Count => _order.Length;

    /// <summary>Indices per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>When true, the last batch of an epoch is dropped if it is short; otherwise it is returned short.</summary>
    public bool DropLast { get; }

    /// <summary>Completed epochs (0 during the first).</summary>
    public int Epoch { get; private set; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <param name="count">Number of examples n.</param>
    /// <param name="batchSize">Indices per batch, 1..n.</param>
    /// <param name="rng">The stream that orders the epochs, e.g. <c>runRng.Child("data.batches")</c>; it is used only by this sampler.</param>
    /// <param name="dropLast">Drop a short final batch instead of returning it.</param>
    public BatchSampler(int count, int batchSize, Rng rng, bool dropLast = false)
    {
        if (count <= 0)
            throw new DataException($"batch sampler: {count} examples, expected at least 1");
        if (batchSize <= 0 || batchSize > count)
            throw new DataException($"batch sampler: batch size {batchSize}, expected 1..{count} (the number of examples)");
        _order = new int[count];
        for (int i = 0; i < count; i++) _order[i] = i;
        _rng = rng; BatchSize = batchSize; DropLast = dropLast;
        _rng.Shuffle(_order);
    }

    /// <summary>
    /// Writes the next batch's indices to the front of <paramref name="indices"/> (length at least
    /// <see cref="BatchSize"/>) and returns how many were written: <see cref="BatchSize"/>, or fewer for the
    /// short last batch of an epoch when <see cref="DropLast"/> is false. Starting a new epoch reshuffles.
    /// </summary>
    public int Next(Span<int> indices)
    {
        if (indices.Length < BatchSize)
            throw new ArgumentException($"BatchSampler.Next: span of {indices.Length} indices, expected at least the batch size {BatchSize}", nameof(indices));
        int remaining = _order.Length - _position;
        if (remaining == 0 || (DropLast && remaining < BatchSize))
        {
            _rng.Shuffle(_order);
            _position = 0;
            Epoch++;
            remaining = _order.Length;
        }
        int take = Math.Min(BatchSize, remaining);
        _order.AsSpan(_position, take).CopyTo(indices);
        _position += take;
        return take;
    }

    /// <summary>Where the sampler is (this epoch's order, the cursor in it, the epoch and its stream), for checkpoints.</summary>
    public BatchSamplerState GetState() => new((int[])_order.Clone(), _position, Epoch, _rng.GetState());

    /// <summary>Restores a state from <see cref="GetState"/> of a sampler over the same number of examples.</summary>
    public void SetState(BatchSamplerState state)
    {
        if (state.Order.Length != _order.Length)
            throw new DataException($"batch sampler: saved state orders {state.Order.Length} examples, this sampler {_order.Length}");
        if (state.Position < 0 || state.Position > _order.Length)
            throw new DataException($"batch sampler: saved position {state.Position}, expected 0..{_order.Length}");
        state.Order.CopyTo(_order, 0);
        _position = state.Position;
        Epoch = state.Epoch;
        _rng.SetState(state.Rng);
    }
}

/// <summary>A saved <see cref="BatchSampler"/> position.</summary>
public sealed record BatchSamplerState(int[] Order, int Position, int Epoch, Noether.Tensors.RngState Rng);
