using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// A labelled classification data set held in memory: features [n, d] in float64 (row-major, one
/// example per row), integer labels in [0, <see cref="ClassCount"/>), and optionally the image layout
/// of a row. Datasets are immutable in use: every helper returns a new dataset and never changes this one.
/// </summary>
public sealed class Dataset
{
    /// <summary>Human-readable name, e.g. "fashion-mnist/train"; used in messages and reports.</summary>
    public string Name { get; }

    /// <summary>Features, shape [n, d].</summary>
    public Tensor<double> Features { get; }

    /// <summary>Class index of each example, in [0, <see cref="ClassCount"/>).</summary>
    public int[] Labels { get; }

    public int ClassCount { get; }

    /// <summary>Image layout of one row (d = channels × height × width), or null for tabular data.</summary>
    public ImageShape? Image { get; }

    /// <summary>Names of the classes in label order, or null when the source gives none.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The value range the source format allows (before any scaling), or null when unbounded.</summary>
    public ValueRange? RawRange { get; }

    public Dataset(string name, Tensor<double> features, int[] labels, int classCount,
                   ImageShape? image = null, IReadOnlyList<string>? classNames = null, ValueRange? rawRange = null)
    {
        if (features.Rank != 2)
            throw new ArgumentException($"Dataset '{name}': features have shape {Tensor<double>.ShapeText(features.Shape)}, expected [n, d]");
        if (features.Dim(0) != labels.Length)
            throw new ArgumentException($"Dataset '{name}': {features.Dim(0)} feature rows but {labels.Length} labels");
        if (classCount <= 0)
            throw new ArgumentException($"Dataset '{name}': class count {classCount}, expected at least 1");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"Dataset '{name}': label {labels[i]} at example {i} is outside [0, {classCount})");
        if (image is { } s && s.Size != features.Dim(1))
            throw new ArgumentException($"Dataset '{name}': image shape {s} holds {s.Size} values but rows have {features.Dim(1)}");
        if (classNames is not null && classNames.Count != classCount)
            throw new ArgumentException($"Dataset '{name}': {classNames.Count} class names for {classCount} classes");
        Name = name; Features = features; Labels = labels; ClassCount = classCount;
        Image = image; ClassNames = classNames; RawRange = rawRange;
    }

    /// <summary>Number of examples n.</summary>
    public int Count => Labels.Length;

    /// <summary>Number of features per example d.</summary>
    public int FeatureCount => Features.Dim(1);

    /// <summary>
    /// This dataset with other features of the same shape (labels and metadata shared); <paramref name="rawRange"/>
    /// is the value range the new features can take, or null when unbounded.
    /// </summary>
    public Dataset WithFeatures(Tensor<double> features, ValueRange? rawRange, string? name = null)
    {
        Shapes.RequireSameShape($"Dataset '{Name}'.WithFeatures", Features, features);
        return new(name ?? Name, features, Labels, ClassCount, Image, ClassNames, rawRange);
    }

    /// <summary>A copy with another name.</summary>
    public Dataset Renamed(string name) => new(name, Features, Labels, ClassCount, Image, ClassNames, RawRange);

    /// <summary>The examples at <paramref name="indices"/>, in that order (repeats allowed); rows are copied.</summary>
    public Dataset Subset(int[] indices, string? name = null)
    {
        int d = FeatureCount;
        var f = new Tensor<double>(indices.Length, d);
        var y = new int[indices.Length];
        for (int r = 0; r < indices.Length; r++)
        {
            int i = indices[r];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Dataset '{Name}'.Subset: index {i} at position {r} is outside [0, {Count})");
            Features.SliceSpan(i).CopyTo(f.SliceSpan(r));
            y[r] = Labels[i];
        }
        return new Dataset(name ?? Name, f, y, ClassCount, Image, ClassNames, RawRange);
    }

    /// <summary>One-hot targets [n, k] with 1 at the label and 0 elsewhere.</summary>
    public Tensor<T> OneHot<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var t = new Tensor<T>(Count, ClassCount);
        for (int i = 0; i < Count; i++) t[i, Labels[i]] = T.One;
        return t;
    }

    /// <summary>One-hot targets [n, k] in float64.</summary>
    public Tensor<double> OneHot() => OneHot<double>();

    /// <summary>Features converted to float32, shape [n, d].</summary>
    public Tensor<float> ToFloat()
    {
        var t = new Tensor<float>(Features.Shape);
        var src = Features.ReadOnlySpan;
        var dst = t.Span;
        for (int i = 0; i < src.Length; i++) dst[i] = (float)src[i];
        return t;
    }

    /// <summary>The same features without an image layout: plain vectors of length d (no copy).</summary>
    public Dataset Flatten() => new(Name, Features, Labels, ClassCount, null, ClassNames, RawRange);

    /// <summary>A view of the features as images [n, channels, height, width]; throws for tabular data.</summary>
    public Tensor<double> AsImages()
    {
        if (Image is not { } s)
            throw new InvalidOperationException($"Dataset '{Name}' has no image shape (tabular data with {FeatureCount} features)");
        return Features.Reshape(Count, s.Channels, s.Height, s.Width);
    }

    /// <summary>Number of examples of each class, indexed by label.</summary>
    public int[] ClassCounts()
    {
        var c = new int[ClassCount];
        foreach (int y in Labels) c[y]++;
        return c;
    }

    public override string ToString() =>
        $"{Name}: {Count} examples × {FeatureCount} features, {ClassCount} classes" + (Image is { } s ? $", images {s}" : "");
}
