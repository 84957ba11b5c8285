using Noether.Tensors;

namespace Noether.Training;

/// <summary>
/// Minibatch indices without replacement, reshuffled every epoch from the member's own stream; a
/// batch never straddles two epochs (the remainder of an epoch is dropped). When the batch covers
/// the whole data set the order is fixed (full-batch gradient descent).
/// </summary>
public sealed class BatchSampler
{
    private readonly int[] _order;
    private readonly Rng _rng;
    private int _position;

    public BatchSampler(int count, int batchSize, Rng stream)
    {
        if (count < 1) throw new ArgumentException($"BatchSampler: data set is empty");
        if (batchSize < 1 || batchSize > count) throw new ArgumentException($"BatchSampler: batch size {batchSize} must be between 1 and the data size {count}");
        Count = count; BatchSize = batchSize; _rng = stream;
        _order = new int[count];
        for (int i = 0; i < count; i++) _order[i] = i;
        _position = FullBatch ? 0 : count; // forces a shuffle before the first stochastic batch
    }

    public int Count { get; }
    public int BatchSize { get; }
    public bool FullBatch => BatchSize == Count;
    public long Epoch { get; private set; }

    /// <summary>The indices of the next batch (a view into internal storage, valid until the next call).</summary>
    public ReadOnlySpan<int> Next()
    {
        if (FullBatch) { Epoch++; return _order; }
        if (_position + BatchSize > Count)
        {
            _rng.Shuffle(_order);
            _position = 0;
            Epoch++;
        }
        var batch = new ReadOnlySpan<int>(_order, _position, BatchSize);
        _position += BatchSize;
        return batch;
    }
}
