using System.Numerics;
using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// Copies the rows of a batch into reused buffers: features, labels or one-hot targets at the
/// indices a <see cref="BatchSampler"/> produced. No allocation, so it can run every step.
/// </summary>
public static class BatchGather
{
    /// <summary>Copies rows <paramref name="indices"/> of <paramref name="source"/> [n, d] into the first rows of <paramref name="destination"/> [≥ batch, d].</summary>
    public static void Rows<T>(Tensor<T> source, ReadOnlySpan<int> indices, Tensor<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (source.Rank != 2 || destination.Rank != 2 || source.Dim(1) != destination.Dim(1) || destination.Dim(0) < indices.Length)
            throw new ShapeMismatchException($"BatchGather.Rows: source {Tensor<T>.ShapeText(source.Shape)} and destination {Tensor<T>.ShapeText(destination.Shape)} for {indices.Length} rows, expected [n, d] and [≥{indices.Length}, d]");
        for (int r = 0; r < indices.Length; r++) source.SliceSpan(indices[r]).CopyTo(destination.SliceSpan(r));
    }

    /// <summary>Copies the labels at <paramref name="indices"/> into the front of <paramref name="destination"/>.</summary>
    public static void Labels(int[] labels, ReadOnlySpan<int> indices, Span<int> destination)
    {
        for (int r = 0; r < indices.Length; r++) destination[r] = labels[indices[r]];
    }

    /// <summary>Writes one-hot targets of the labels at <paramref name="indices"/> into the first rows of <paramref name="destination"/> [≥ batch, k].</summary>
    public static void OneHot<T>(int[] labels, ReadOnlySpan<int> indices, Tensor<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (destination.Rank != 2 || destination.Dim(0) < indices.Length)
            throw new ShapeMismatchException($"BatchGather.OneHot: destination {Tensor<T>.ShapeText(destination.Shape)} for {indices.Length} rows, expected [≥{indices.Length}, k]");
        for (int r = 0; r < indices.Length; r++)
        {
            var row = destination.SliceSpan(r);
            row.Clear();
            row[labels[indices[r]]] = T.One;
        }
    }
}
