#version 330 core
// Instanced sphere impostor: one camera-facing quad per atom, in view space.
layout(location = 0) in vec2 corner;   // quad corner, -1..1
layout(location = 1) in vec3 center;   // atom position, Å (world)
layout(location = 2) in float radius;  // Å
layout(location = 3) in vec3 color;
uniform mat4 view;
uniform mat4 proj;
out vec3 vpos;                 // view-space point on the quad
flat out vec3 vcenter;         // view-space sphere centre
flat out float vrad;
flat out vec3 vcol;
void main()
{
    vec4 c = view * vec4(center, 1.0);
    // the perspective silhouette is a little larger than r: pad the quad
    vpos = c.xyz + vec3(corner * radius * 1.3, 0.0);
    vcenter = c.xyz;
    vrad = radius;
    vcol = color;
    gl_Position = proj * vec4(vpos, 1.0);
}
