#version 330 core
// Box edges (3D) and the legend overlay (2D pixels): position + colour.
layout(location = 0) in vec3 pos;
layout(location = 1) in vec3 color;
uniform mat4 mvp;
out vec3 vcol;
void main()
{
    vcol = color;
    gl_Position = mvp * vec4(pos, 1.0);
}
