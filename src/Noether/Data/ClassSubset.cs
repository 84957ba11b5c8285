namespace Noether.Data;

/// <summary>
/// Keeps only some classes of a dataset (e.g. the 0-vs-1 task of MNIST), relabelled 0..k−1 in the
/// order given, so a 2-class subset trains a 2-output network.
/// </summary>
public static class ClassSubset
{
    /// <summary>The examples of <paramref name="classes"/> in their original order; class <c>classes[i]</c> becomes label i.</summary>
    public static Dataset Select(Dataset data, IReadOnlyList<int> classes)
    {
        if (classes.Count == 0)
            throw new DataException($"class subset of {data.Name}: no classes given, expected some of 0..{data.ClassCount - 1}");
        var newLabel = new int[data.ClassCount];
        Array.Fill(newLabel, -1);
        for (int i = 0; i < classes.Count; i++)
        {
            int c = classes[i];
            if ((uint)c >= (uint)data.ClassCount)
                throw new DataException($"class subset of {data.Name}: class {c}, expected classes in 0..{data.ClassCount - 1}");
            if (newLabel[c] >= 0)
                throw new DataException($"class subset of {data.Name}: class {c} given twice, expected distinct classes");
            newLabel[c] = i;
        }
        var keep = new List<int>();
        for (int i = 0; i < data.Count; i++) if (newLabel[data.Labels[i]] >= 0) keep.Add(i);
        var subset = data.Subset(keep.ToArray());
        var labels = new int[subset.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = newLabel[subset.Labels[i]];
        var names = data.ClassNames is null ? null : classes.Select(c => data.ClassNames[c]).ToArray();
        string name = $"{data.Name}[classes {string.Join(",", classes)}]";
        return new Dataset(name, subset.Features, labels, classes.Count, data.Image, names, data.RawRange);
    }
}
